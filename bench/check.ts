import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, type BenchModule, type BenchOutcome, type Figure } from './figures.ts';
import { timeCommand, type Timed } from './timing.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BERTH = path.join(ROOT, 'bin/berth.js');
const CONFIG = path.join(ROOT, 'examples/cruddur/berth.config.ts');

export interface CheckBenchResult {
  readonly runs: number;
  /** `berth check --config examples/cruddur/berth.config.ts`, as a user runs it (cfn-lint included). */
  readonly check: readonly Timed[];
  /** The same with --skip-lint: berth's own share, without the cfn-lint process. */
  readonly checkSkipLint: readonly Timed[];
  /** `cdk synth` of a minimal aws-ecs-patterns app (bench/reference/ecs-patterns-app.ts). */
  readonly cdkSynth: readonly Timed[];
}

/** The three commands, alternated, each `runs` times. */
export async function benchCheck(runs = 3): Promise<CheckBenchResult> {
  const check: Timed[] = [];
  const checkSkipLint: Timed[] = [];
  const cdkSynth: Timed[] = [];
  for (let i = 0; i < runs; i += 1) {
    check.push(await timeCommand(process.execPath, [BERTH, 'check', '--config', CONFIG], { cwd: ROOT }));
    checkSkipLint.push(
      await timeCommand(process.execPath, [BERTH, 'check', '--skip-lint', '--config', CONFIG], { cwd: ROOT }),
    );
    const out = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-cdk-'));
    try {
      cdkSynth.push(
        await timeCommand(
          process.execPath,
          ['--import', 'tsx', path.join(import.meta.dirname, 'reference/ecs-patterns-app.ts'), out],
          { cwd: ROOT },
        ),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  // The reference config passes its checks: any other exit (an error, a finding) is not a timing.
  for (const [name, timed] of Object.entries({ check, checkSkipLint, cdkSynth }))
    if (timed.some((t) => t.code !== 0)) throw new Error(`${name} failed: ${JSON.stringify(timed)}`);
  return { runs, check, checkSkipLint, cdkSynth };
}

export function checkFigures(r: CheckBenchResult): Figure[] {
  const wall = (t: readonly Timed[]) => median(t.map((x) => x.wallMs));
  const cpu = (t: readonly Timed[]) => median(t.map((x) => x.cpuMs));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const synth = wall(r.cdkSynth);
  return [
    {
      figure: '`berth check` wall time, reference config (cdk-nag, cfn-guard, cfn-lint)',
      result: `${s(wall(r.check))} (CPU ${s(cpu(r.check))})`,
      reference: `cdk synth, minimal aws-ecs-patterns app ${s(synth)} (CPU ${s(cpu(r.cdkSynth))})`,
      ratio: wall(r.check) / synth,
      goal: 'at most 2x',
      met: wall(r.check) / synth <= 2,
    },
    {
      figure: '`berth check --skip-lint` wall time (without cfn-lint)',
      result: `${s(wall(r.checkSkipLint))} (CPU ${s(cpu(r.checkSkipLint))})`,
      reference: `cdk synth ${s(synth)}`,
      ratio: wall(r.checkSkipLint) / synth,
    },
  ];
}

export const checkBench: BenchModule = {
  name: 'check',
  title: 'berth check vs cdk synth of a minimal aws-ecs-patterns app, 3 alternated runs...',
  tools: ['cfn-lint'],
  async run(): Promise<BenchOutcome<CheckBenchResult>> {
    const result = await benchCheck();
    return { result, figures: checkFigures(result) };
  },
};
