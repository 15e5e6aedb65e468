import { execFile } from 'node:child_process';
import path from 'node:path';

/** The CLI as users run it: `bin/berth.js`, which loads the TypeScript sources. */
export const BERTH_BIN = path.resolve(import.meta.dirname, '../../bin/berth.js');

/** Under vitest's 60 s test timeout: a hung berth is killed before its test gives up on it. */
const DEFAULT_TIMEOUT_MS = 55_000;

export interface BerthRun {
  /** The exit code; null when the run was killed (its timeout passed). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `berth ARGS` to its end, as a shell would; a non-zero exit is a result, not an exception. */
export function runBerth(
  args: readonly string[],
  options: {
    readonly cwd?: string;
    readonly timeoutMs?: number;
    /** The child's whole environment (default: this process's). */
    readonly env?: NodeJS.ProcessEnv;
  } = {},
): Promise<BerthRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BERTH_BIN, ...args],
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        encoding: 'utf8',
        ...(options.env ? { env: options.env } : {}),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
