import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tailFile } from '../shared/net.ts';
import { remoteStatus, runningSupervisor } from './control.ts';
import { BerthError } from '../shared/errors.ts';
import { AlreadyRunningError } from './errors.ts';
import { ensureStateDir, type StatePaths } from './state/state-dir.ts';
import { inspectRecord } from './state/supervisor-record.ts';
import type { LocalStatus } from './supervisor.ts';

export interface DetachOptions {
  /** Node arguments that run `berth up` in the foreground, e.g. `['bin/berth.js', 'up', '--config', f]`. */
  readonly argv: readonly string[];
  readonly paths: StatePaths;
  /** @default 180000 (image builds can take a while) */
  readonly timeoutMs?: number;
}

/**
 * Starts a supervisor in the background (its output goes to `.berth/supervisor.log`) and resolves
 * with its status once every service is healthy. If it fails first, rejects with the log's end.
 */
export async function startDetached(options: DetachOptions): Promise<LocalStatus> {
  const { paths } = options;
  ensureStateDir(paths);
  const found = inspectRecord(paths);
  if (found.state === 'alive')
    throw new AlreadyRunningError(found.record.pid, found.record.urls, found.stopped);
  const log = openSync(paths.supervisorLog, 'w');
  const child = spawn(process.execPath, [...process.execArgv, ...options.argv], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code));
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (exit !== undefined)
      throw new BerthError(
        `the background supervisor exited (code ${exit}) before all services were healthy:\n${tailFile(paths.supervisorLog)}`,
      );
    const record = runningSupervisor(paths);
    if (record?.pid === child.pid) {
      const status = await remoteStatus(paths, { record }).catch(() => undefined);
      if (status?.phase === 'running') return status;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(child.pid!, 'SIGTERM');
  } catch {
    // Already gone.
  }
  throw new BerthError(
    `services were not healthy within ${(options.timeoutMs ?? 180_000) / 1000} s:\n${tailFile(paths.supervisorLog)}`,
  );
}
