import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

/** What running a config file gave: its default export as data, or why there is none. */
export type ConfigFileResult =
  | { readonly kind: 'loaded'; readonly value: unknown }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string; readonly url?: string }
  | { readonly kind: 'no-default'; readonly named: readonly string[]; readonly empty?: boolean }
  | { readonly kind: 'promise' }
  | { readonly kind: 'not-data'; readonly message: string }
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'unsettled' }
  | { readonly kind: 'timed-out'; readonly timeoutMs: number };

/** Node's exit code for a module whose top-level await was left unsettled. */
const UNSETTLED_TOP_LEVEL_AWAIT = 13;

/** How long a config file may take to load before berth gives up on it. */
export const CONFIG_LOAD_TIMEOUT_MS = 30_000;

const WORKER = new URL('./load-worker.mjs', import.meta.url);

/**
 * berth running from its TypeScript source (this repository) resolves a config's `import ... from
 * 'berth'` to that source too, through the package's `berth-source` export condition; the compiled
 * package resolves it to dist/. A worker does not inherit the bin's resolve hook, so it gets the
 * condition as a flag.
 */
const CONDITIONS = import.meta.url.endsWith('.ts') ? ['--conditions=berth-source'] : [];

/**
 * Runs a config file (TypeScript through tsx, as before) in a worker thread, so that the user's
 * code cannot decide berth's result: `process.exit` there ends the worker, and is reported; a
 * config still loading after `timeoutMs` is stopped, even in a busy loop; and whatever it prints
 * goes to stderr, where berth's own output on stdout (`check --json`) cannot be corrupted by it.
 * The value crosses by structured clone: a config is data.
 */
export function runConfigFile(
  absolute: string,
  timeoutMs = Number(process.env.BERTH_CONFIG_TIMEOUT_MS) || CONFIG_LOAD_TIMEOUT_MS,
): Promise<ConfigFileResult> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, {
      workerData: { url: pathToFileURL(absolute).href, importer: import.meta.url },
      execArgv: [...process.execArgv, ...CONDITIONS],
      stdout: true,
      stderr: true,
    });
    // The config's own output, not berth's: passed through unchanged, on stderr.
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    let settled = false;
    const settle = (result: ConfigFileResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
      // Timers or sockets the config left open must not keep berth alive, nor act later.
      void worker.terminate();
    };
    const timer = setTimeout(() => settle({ kind: 'timed-out', timeoutMs }), timeoutMs);
    worker.once('message', (result: ConfigFileResult) => settle(result));
    worker.once('error', (err) => settle({ kind: 'failed', message: err.message }));
    // Node ends a thread whose top-level await can never settle (nothing left to wait for) with
    // exit code 13: that config hangs, it did not choose to exit.
    worker.once('exit', (exitCode) =>
      settle(exitCode === UNSETTLED_TOP_LEVEL_AWAIT ? { kind: 'unsettled' } : { kind: 'exited', exitCode }),
    );
  });
}
