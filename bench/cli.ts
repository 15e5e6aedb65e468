import path from 'node:path';
import { median, type BenchModule, type BenchOutcome, type Figure } from './figures.ts';
import { timeCommand, type Timed } from './timing.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BERTH = path.join(ROOT, 'bin/berth.js');

export interface CliBenchResult {
  readonly runs: number;
  readonly help: readonly Timed[];
  /** `berth status` for the reference config with nothing running: config load, state read, answer. */
  readonly status: readonly Timed[];
  /** `node -e 0`: what any Node.js command costs on this machine, the floor under both. */
  readonly nodeFloor: readonly Timed[];
}

export async function benchCli(runs = 7): Promise<CliBenchResult> {
  const help: Timed[] = [];
  const status: Timed[] = [];
  const nodeFloor: Timed[] = [];
  const cwd = path.join(ROOT, 'examples/cruddur');
  for (let i = 0; i < runs; i += 1) {
    help.push(await timeCommand(process.execPath, [BERTH, '--help'], { cwd }));
    status.push(await timeCommand(process.execPath, [BERTH, 'status'], { cwd }));
    nodeFloor.push(await timeCommand(process.execPath, ['-e', '0'], { cwd }));
  }
  return { runs, help, status, nodeFloor };
}

export function cliFigures(r: CliBenchResult): Figure[] {
  const wall = (t: readonly Timed[]) => median(t.map((x) => x.wallMs));
  const cpu = (t: readonly Timed[]) => median(t.map((x) => x.cpuMs));
  const floor = `node -e 0: ${wall(r.nodeFloor).toFixed(0)} ms`;
  return [
    {
      figure: '`berth --help` start-up in this repository, tsx on src/ (median of 7)',
      result: `${wall(r.help).toFixed(0)} ms (CPU ${cpu(r.help).toFixed(0)} ms)`,
      reference: floor,
      ratio: wall(r.help) / wall(r.nodeFloor),
    },
    {
      figure: '`berth status` start-up in this repository, nothing running (median of 7)',
      result: `${wall(r.status).toFixed(0)} ms (CPU ${cpu(r.status).toFixed(0)} ms)`,
      reference: floor,
      ratio: wall(r.status) / wall(r.nodeFloor),
    },
  ];
}

export const cliBench: BenchModule = {
  name: 'cli',
  title: 'berth --help and berth status start-up, 7 alternated runs...',
  async run(): Promise<BenchOutcome<CliBenchResult>> {
    const result = await benchCli();
    return { result, figures: cliFigures(result) };
  },
};
