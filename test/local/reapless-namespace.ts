import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BERTH_BIN, type BerthRun } from '../support/berth-cli.ts';
import { alive, procState, until } from './helpers.ts';

/**
 * A PID namespace whose PID 1 is `sleep`, which never waits for a child: a process orphaned in it
 * and then killed stays a zombie for as long as the namespace lives, as under an init that does not
 * reap (containers started without `--init`, some CI machines). Whatever the machine's own PID 1
 * does, a test that kills an orphan in here sees a zombie. Needs root (unshare, nsenter).
 *
 * PIDs here are those inside the namespace, as berth running in it sees and reports them.
 */
export class ReaplessNamespace {
  private constructor(
    private readonly unshare: ChildProcess,
    /** PID 1 of the namespace, as this test process sees it. */
    private readonly init: number,
  ) {}

  static async start(): Promise<ReaplessNamespace> {
    // --kill-child: the namespace's PID 1 gets SIGKILL when unshare dies, and every process in the
    // namespace with it, so `close()` (or a test runner that dies) leaves nothing behind.
    const unshare = spawn('unshare', ['--fork', '--pid', '--mount-proc', '--kill-child', 'sleep', '3600'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    unshare.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    let init = 0;
    try {
      await until(
        () => {
          if (unshare.exitCode !== null) throw new Error(`unshare failed (are we root?): ${stderr}`);
          init = Number(readOr(`/proc/${unshare.pid}/task/${unshare.pid}/children`).trim().split(' ')[0]);
          // Ready once PID 1 is sleep (no longer unshare, forked, still mounting /proc).
          return init > 0 && readOr(`/proc/${init}/root/proc/1/comm`).trim() === 'sleep';
        },
        10_000,
        'the PID namespace',
      );
    } catch (err) {
      unshare.kill('SIGKILL');
      throw err;
    }
    return new ReaplessNamespace(unshare, init);
  }

  /** Runs `berth ARGS` inside the namespace, as runBerth does outside. */
  berth(args: readonly string[], timeoutMs = 55_000): Promise<BerthRun> {
    return new Promise((resolve) => {
      execFile(
        'nsenter',
        [...this.enter(), process.execPath, BERTH_BIN, ...args],
        { timeout: timeoutMs, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Whether the process with this PID in the namespace runs (a zombie does not). */
  alive(pid: number): boolean {
    return alive(pid, `/proc/${this.init}/root/proc`);
  }

  /** Whether the process with this PID in the namespace is a zombie: ended, and never to be reaped here. */
  zombie(pid: number): boolean {
    return procState(pid, `/proc/${this.init}/root/proc`) === 'Z';
  }

  /** Sends `signal` to the process with this PID in the namespace, from inside it. */
  kill(pid: number, signal: NodeJS.Signals): void {
    const r = spawnSync('nsenter', [...this.enter(), 'kill', '-s', signal.replace(/^SIG/, ''), String(pid)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`kill ${signal} ${pid} in the namespace failed: ${r.stderr}`);
  }

  /** Ends every process in the namespace (SIGKILL to unshare; its PID 1 follows, and the kernel ends the rest). */
  async close(): Promise<void> {
    if (this.unshare.exitCode !== null || this.unshare.signalCode !== null) return;
    const gone = new Promise((resolve) => this.unshare.once('exit', resolve));
    this.unshare.kill('SIGKILL');
    await gone;
  }

  /** nsenter's arguments that enter the namespace (its PIDs, and its /proc) in this process's folder. */
  private enter(): string[] {
    return ['--target', String(this.init), '--pid', '--mount', `--wd=${process.cwd()}`, '--'];
  }
}

function readOr(file: string, fallback = ''): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
