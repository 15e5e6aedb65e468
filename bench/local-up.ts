import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CRUDDUR = path.join(ROOT, 'examples/cruddur');

export interface UpBenchResult {
  readonly runs: number;
  /** From starting `berth up` (the CLI, process engine) until it prints the table of healthy services. */
  readonly coldUpMs: readonly number[];
  readonly medianMs: number;
  /** From SIGTERM until the CLI has exited with every task gone. */
  readonly stopMs: readonly number[];
}

/** Cold `berth up` on the process engine, as a user runs it, to all healthy; the apps are already built. */
export async function benchUp(runs = 3): Promise<UpBenchResult> {
  const coldUpMs: number[] = [];
  const stopMs: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-up-'));
    // A fresh state folder each run: the certificate authority is created too, as on a first run.
    const config = path.join(dir, 'berth.config.ts');
    writeFileSync(
      config,
      readFileSync(path.join(CRUDDUR, 'berth.config.ts'), 'utf8')
        .replace(/^import .*$/m, '')
        .replace('defineConfig(', '(')
        .replace(/'\.\/(frontend|backend)'/g, (_m, name: string) => JSON.stringify(path.join(CRUDDUR, name))),
    );
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin/berth.js'),
        'up',
        '--config',
        config,
        '--http-port',
        '0',
        '--https-port',
        '0',
        '--discovery-ports',
        'free',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('berth up was not ready within 60 s')), 60_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('Ctrl-C stops everything')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`berth up exited ${code}`)));
      });
      coldUpMs.push(performance.now() - started);
      const stopping = performance.now();
      child.kill('SIGTERM');
      await exited;
      stopMs.push(performance.now() - stopping);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const sorted = [...coldUpMs].sort((a, b) => a - b);
  return { runs, coldUpMs, medianMs: sorted[Math.floor(sorted.length / 2)]!, stopMs };
}
