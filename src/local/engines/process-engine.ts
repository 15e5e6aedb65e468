import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import type { ResolvedService } from '../../config/index.ts';
import { delay, freePort } from '../../shared/net.ts';
import { BerthError } from '../../shared/errors.ts';
import { startTimeOf } from '../state/process-identity.ts';
import type { Engine, RunningTask, TaskExit, TaskSpec } from './engine.ts';

/** The few variables a local process needs to run at all; everything else comes from the config. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/**
 * Runs each task as a local process from `service.local.command`, in its own process group so that
 * a stop reaches its children too. Tasks listen on 127.0.0.1 on a free port given as PORT.
 */
export class ProcessEngine implements Engine {
  readonly name = 'process' as const;
  readonly needsDiscoveryListeners = true;

  constructor(private readonly runId: string) {}

  discoveryUrl(_service: ResolvedService, listenerPort: number | undefined): string {
    return `http://127.0.0.1:${listenerPort}`;
  }

  async prepare(): Promise<void> {}

  async start(spec: TaskSpec): Promise<RunningTask> {
    const { service } = spec;
    if (!service.local)
      throw new BerthError(
        `services.${service.id}.local.command is not set: the process engine needs it (e.g. ['node', 'dist/server.js']), or use --engine podman`,
      );
    // Node reports a missing cwd as the command's ENOENT, which reads as "node is not installed".
    if (!statSync(service.local.cwd, { throwIfNoEntry: false })?.isDirectory())
      throw new BerthError(
        `cannot start ${service.id}: its folder ${service.local.cwd} is not a folder here; set services.${service.id}.local.cwd (or image.context, its default) to the folder the command runs in`,
      );
    const port = await freePort();
    const base = Object.fromEntries(
      PASSED_THROUGH.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]),
    );
    const log = openSync(spec.logFile, 'a');
    const [command, ...args] = service.local.command;
    const child = spawn(command!, args, {
      cwd: service.local.cwd,
      env: { ...base, ...spec.env, PORT: String(port), HOST: '127.0.0.1', BERTH_RUN_ID: this.runId },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    const exited = new Promise<TaskExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new BerthError(
            `cannot start ${service.id}: ${service.local!.command.join(' ')} in ${service.local!.cwd}: ${err.message}`,
            { cause: err },
          ),
        ),
      );
    });
    const pid = child.pid!;
    // Read as soon as it runs: a PID is handed out again only after the others, so this is the child's.
    const startTime = startTimeOf(pid);
    return {
      id: spec.taskId,
      host: '127.0.0.1',
      port,
      pid,
      ...(startTime !== undefined ? { startTime } : {}),
      exited,
      stop: async (graceMs) => {
        const gone = exited.then(() => true);
        signalGroup(pid, 'SIGTERM');
        const inTime = await Promise.race([gone, delay(graceMs).then(() => false)]);
        if (!inTime) signalGroup(pid, 'SIGKILL');
        await exited;
        // Children that outlived the leader (a wrapper script's server) go with the group.
        signalGroup(pid, 'SIGKILL');
      },
    };
  }

  async dispose(): Promise<void> {}
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
