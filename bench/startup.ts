import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface StartupResult {
  /** When, and at what load: a shared machine's other work slows every process start. */
  readonly date: string;
  readonly loadAverage: readonly number[];
  readonly runs: number;
  /** `berth --help` from the installed package (node_modules/.bin/berth), wall time per run. */
  readonly helpMs: readonly number[];
  readonly helpMedianMs: number;
  /** `berth status` from the installed package with nothing running (a config beside it, no run). */
  readonly statusMs: readonly number[];
  readonly statusMedianMs: number;
  /** `node -e ''`: what any Node.js command costs on this machine before its own code. */
  readonly nodeFloorMedianMs: number;
  /** The same command from this repository (bin/berth.js: tsx on src/), for comparison. */
  readonly repositoryHelpMedianMs: number;
  /** Modules `berth --help` loads, by package (`berth` for its own files). */
  readonly helpLoads: Readonly<Record<string, number>>;
  /** Modules `berth synth --help` loads: a command's module without its core. */
  readonly heavyLoadedByHelp: readonly string[];
}

const ROOT = path.resolve(import.meta.dirname, '..');
/** Packages that must load only for the commands that use them. */
const HEAVY = [
  'aws-cdk-lib',
  'cdk-nag',
  '@aws-sdk',
  '@aws-cdk/toolkit-lib',
  '@cdklabs/cdk-validator-cfnguard',
];
/** A loader hook that names every module loaded, on stderr. */
const TRACE =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent('export async function load(u, c, n) { if (!u.startsWith("node:")) process.stderr.write("LOADED " + u + "\\\\n"); return n(u, c); }'));`,
  );

/**
 * Packs berth (prepack builds dist/), installs the tarball into an empty folder outside the
 * repository, and times `berth --help` there: what a user's `npx berth` runs after npm's own start.
 */
export function benchStartup(runs = 15): StartupResult {
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-startup-'));
  try {
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 20 * 1024 * 1024,
    });
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    execFileSync(
      'npm',
      [
        'install',
        '--save-dev',
        path.join(work, filename),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      {
        cwd: app,
        stdio: 'ignore',
      },
    );
    const bin = path.join(app, 'node_modules/.bin/berth');
    // status reads the run's state folder beside the config; with the file there it does not load it.
    writeFileSync(path.join(app, 'berth.config.json'), '{}\n');
    const time = (command: string, args: readonly string[], cwd = app, exitCode = 0) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(command, args, { cwd, stdio: 'ignore' });
      if (result.status !== exitCode) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // One run each first: the file cache warm, as on a developer's machine.
    time(bin, ['--help']);
    time(process.execPath, [path.join(ROOT, 'bin/berth.js'), '--help'], ROOT);
    // Exit 1: nothing is running, which is the answer measured.
    time(bin, ['status', '--config', 'berth.config.json'], app, 1);
    const helpMs: number[] = [];
    const statusMs: number[] = [];
    const floorMs: number[] = [];
    const repoMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      helpMs.push(time(bin, ['--help']));
      statusMs.push(time(bin, ['status', '--config', 'berth.config.json'], app, 1));
      floorMs.push(time(process.execPath, ['-e', '']));
      repoMs.push(time(process.execPath, [path.join(ROOT, 'bin/berth.js'), '--help'], ROOT));
    }
    const loads = (args: readonly string[]) =>
      spawnSync(process.execPath, ['--import', TRACE, bin, ...args], { cwd: app, encoding: 'utf8' })
        .stderr.split('\n')
        .filter((l) => l.startsWith('LOADED '))
        .map((l) => {
          const url = l.slice('LOADED '.length);
          const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(
            url.replace(/.*\/node_modules\/berth\//, '/berth/'),
          );
          return url.includes('/node_modules/berth/') ? 'berth' : (pkg?.[1] ?? url);
        });
    const helpLoads: Record<string, number> = {};
    for (const pkg of loads(['--help'])) helpLoads[pkg] = (helpLoads[pkg] ?? 0) + 1;
    const heavy = [
      ...new Set([...loads(['--help']), ...loads(['synth', '--help']), ...loads(['status', '--help'])]),
    ].filter((pkg) => HEAVY.some((h) => pkg === h || pkg.startsWith(`${h}/`)));
    return {
      date: new Date().toISOString(),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      runs,
      helpMs: helpMs.map((n) => Math.round(n)),
      helpMedianMs: median(helpMs),
      statusMs: statusMs.map((n) => Math.round(n)),
      statusMedianMs: median(statusMs),
      nodeFloorMedianMs: median(floorMs),
      repositoryHelpMedianMs: median(repoMs),
      helpLoads,
      heavyLoadedByHelp: heavy,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}
