import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One line of the table in docs/performance.md: a figure measured beside its reference, and its goal. */
export interface Figure {
  readonly figure: string;
  /** What was measured, with its unit. */
  readonly result: string;
  /** The anchor it is compared with, measured in the same run, with its figure. */
  readonly reference?: string;
  /** result / reference (or the reverse for times, said in `figure`). */
  readonly ratio?: number;
  readonly goal?: string;
  /** Whether the goal was met; undefined for a figure without a goal. */
  readonly met?: boolean;
}

/** A ratio whose goal is a minimum: the goal's words and whether it is met, from the one number. */
export function atLeast(ratio: number, min: number): Pick<Figure, 'ratio' | 'goal' | 'met'> {
  const shown = Number.isInteger(min) && min < 10 ? min.toFixed(1) : String(min);
  return { ratio, goal: `at least ${shown}x`, met: ratio >= min };
}

/** What a bench module hands back: its raw results for bench/results.json and its table lines. */
export interface BenchOutcome<T> {
  readonly result: T;
  readonly figures: readonly Figure[];
}

/** A bench module `npm run bench <name>` runs; `run.ts` registers them. */
export interface BenchModule {
  readonly name: string;
  /** One line for the terminal before it starts. */
  readonly title: string;
  /** Commands it needs on PATH, checked before anything starts. */
  readonly tools?: readonly string[];
  run(): Promise<BenchOutcome<unknown>>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) a live process has used so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces, in parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/** Peak resident memory of a live process so far (VmHWM), in MB (10^6 bytes). */
export function peakRssMB(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? (Number(match[1]) * 1024) / 1e6 : Number.NaN;
}
