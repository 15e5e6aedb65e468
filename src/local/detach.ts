import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tailFile } from '../shared/net.ts';
import { remoteStatus, runningSupervisor } from './control.ts';
import { BerthError } from '../shared/errors.ts';
import { AlreadyRunningError } from './errors.ts';
import { ensureStateDir, type StatePaths } from './state/state-dir.ts';
import { startTimeOf } from './state/process-identity.ts';
import { claimRecord, inspectRecord, releaseRecord } from './state/supervisor-record.ts';
import type { LocalStatus } from './status.ts';

export interface DetachOptions {
  /** Node arguments that run `berth up` in the foreground, e.g. `['bin/berth.js', 'up', '--config', f]`. */
  readonly argv: readonly string[];
  readonly paths: StatePaths;
  /** The engine it runs the tasks with, for the record it starts with. */
  readonly engine?: string;
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
  claimForChild(paths, child.pid!, options.engine ?? '');
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      // Its own stop removes the record it wrote; this is for a child that died before it could.
      releaseRecord(paths, child.pid);
      throw new BerthError(
        `the background supervisor exited (code ${exit}) before all services were healthy:\n${tailFile(paths.supervisorLog)}`,
      );
    }
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

/**
 * Records the background supervisor as starting from the moment it exists, until it writes its
 * own record: it takes a second or more to load the config before it can, and a `berth down` in
 * that time must find it (and wait to stop it) rather than say that nothing is running. A second
 * `berth up` racing this one finds it too: the one that loses ends its child and says which runs.
 */
function claimForChild(paths: StatePaths, pid: number, engine: string): void {
  const startTime = startTimeOf(pid);
  const claim = claimRecord(paths, {
    pid,
    ...(startTime !== undefined ? { startTime } : {}),
    runId: '',
    startedAt: new Date().toISOString(),
    engine,
    phase: 'starting',
    control: { port: 0, token: '' },
    urls: [],
    tasks: [],
  });
  if (claim.claimed || !('running' in claim)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  throw new AlreadyRunningError(claim.running.pid, claim.running.urls, claim.stopped);
}
