import { spawn } from 'node:child_process';

export interface Timed {
  readonly wallMs: number;
  /** User + system CPU time of the command and its children: what the machine's load moves least. */
  readonly cpuMs: number;
  readonly code: number | null;
}

/**
 * Runs a command to its end, output discarded, and times it: wall clock from spawn to exit, and CPU
 * time through the shell's `times` (Node has no getrusage for children). Bounded by `timeoutMs`.
 */
export function timeCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      'sh',
      ['-c', '"$@" >/dev/null 2>&1; rc=$?; times; exit $rc', 'sh', command, ...args],
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      // `times` prints the shell's own user/system line, then its children's: "0m1.234s 0m0.100s".
      const children = out.trim().split('\n').at(-1) ?? '';
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({
        wallMs,
        cpuMs: seconds.length === 2 ? (seconds[0]! + seconds[1]!) * 1000 : Number.NaN,
        code,
      });
    });
  });
}
