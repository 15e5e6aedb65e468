import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { backendBench } from './backend.ts';
import { checkBench } from './check.ts';
import { cliBench } from './cli.ts';
import { benchDiagram } from './diagram.ts';
import { benchEdge, edgeFigures } from './edge.ts';
import { hasCommand, type BenchModule, type Figure } from './figures.ts';
import { imagesBench } from './images.ts';
import { benchUp } from './local-up.ts';
import { writePerformanceDoc, type FigureSet } from './performance-doc.ts';
import { benchStartup } from './startup.ts';

/**
 * `npm run bench [up|edge|backend|check|cli|images|diagram|startup]`: every performance figure beside its anchor,
 * printed as a table and written to bench/results.json and docs/performance.md. Needs the apps built
 * (`npm run build`) and Debian's `wrk`, `nginx`, `caddy` and `cfn-lint`; Flask for the backend's
 * reference; podman for `images`.
 */
/** Bench parts that live in their own module; `up` and `edge` are below. */
const MODULES: readonly BenchModule[] = [backendBench, checkBench, cliBench, imagesBench];
const which = process.argv[2] ?? 'all';
const out = path.join(import.meta.dirname, 'results.json');
// A partial run (`up` or `edge`) keeps the other part of the last results.
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
const results: Record<string, unknown> = {
  ...previous,
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
  node: process.version,
};
const rows: [string, string, string][] = [];
const ms = (n: number) => `${n.toFixed(0)} ms`;
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
// Each part's figures for docs/performance.md, with when and under what load they were taken; a
// partial run keeps the other parts' last ones.
const figureSets: Record<string, FigureSet> = {
  ...((previous.figures as Record<string, FigureSet> | undefined) ?? {}),
};
function recordFigures(name: string, loadAtStart: number, figures: readonly Figure[]): void {
  figureSets[name] = {
    date: new Date().toISOString(),
    machine,
    load: [loadAtStart, os.loadavg()[0]!],
    figures,
  };
  for (const f of figures)
    rows.push([
      f.figure,
      f.ratio === undefined ? f.result : `${f.result} (${f.ratio.toFixed(2)}x ${f.reference ?? ''})`,
      f.goal === undefined ? '' : `${f.goal}: ${f.met ? 'met' : 'MISSED'}`,
    ]);
}

const selected = MODULES.filter((m) => which === 'all' || which === m.name);
const tools = [
  ...(which === 'all' || which === 'edge' ? ['wrk', 'nginx', 'caddy'] : []),
  ...selected.flatMap((m) => m.tools ?? []),
];
for (const tool of new Set(tools)) {
  if (!hasCommand(tool)) throw new Error(`${tool} is not installed: apt-get install -y ${tool}`);
}

if (which === 'all' || which === 'up') {
  process.stderr.write('cold berth up (process engine), 3 runs...\n');
  const loadAtStart = os.loadavg()[0]!;
  const up = await benchUp(3);
  results.up = up;
  rows.push(['cold berth up to all healthy (median of 3)', ms(up.medianMs), 'under 5000 ms']);
  rows.push(['stop on SIGTERM (max of 3)', ms(Math.max(...up.stopMs)), 'within the drain time']);
  figureSets.up = {
    date: new Date().toISOString(),
    machine,
    load: [loadAtStart, os.loadavg()[0]!],
    figures: [
      {
        figure: 'cold `berth up` to all healthy (median of 3)',
        result: ms(up.medianMs),
        goal: 'under 5000 ms',
        met: up.medianMs < 5000,
      },
      { figure: 'stop on SIGTERM (max of 3)', result: ms(Math.max(...up.stopMs)) },
    ],
  };
}

if (which === 'all' || which === 'startup') {
  process.stderr.write('npm pack, install into an empty folder, berth --help 15 times...\n');
  const loadAtStart = os.loadavg()[0]!;
  const startup = benchStartup(15);
  results.startup = startup;
  recordFigures('startup', loadAtStart, [
    {
      figure: '`berth --help`, installed package (median of 15)',
      result: ms(startup.helpMedianMs),
      goal: 'under 300 ms',
      met: startup.helpMedianMs < 300,
    },
    {
      figure: '`berth status`, installed package, nothing running (median of 15)',
      result: ms(startup.statusMedianMs),
      goal: 'under 300 ms',
      met: startup.statusMedianMs < 300,
    },
    { figure: "`node -e ''` on this machine (median of 15)", result: ms(startup.nodeFloorMedianMs) },
    {
      figure: 'CDK, cdk-nag or SDK modules loaded by `--help`',
      result: startup.heavyLoadedByHelp.join(', ') || 'none',
    },
  ]);
}

if (which === 'all' || which === 'edge') {
  process.stderr.write(
    'edge vs direct vs nginx vs Caddy vs Node floor, wrk -t1 -c10, 3 interleaved rounds...\n',
  );
  const loadAtStart = os.loadavg()[0]!;
  const edge = await benchEdge();
  results.edge = edge;
  recordFigures('edge', loadAtStart, edgeFigures(edge));
}

if (which === 'all' || which === 'diagram') {
  process.stderr.write('berth diagram of the reference config, 1 cold + 3 runs...\n');
  const loadAtStart = os.loadavg()[0]!;
  const d = await benchDiagram(3);
  results.diagram = d;
  recordFigures('diagram', loadAtStart, [
    {
      figure: '`berth diagram` of the reference config, SVG (median of 3)',
      result: ms(d.medianMs),
      goal: 'under 2000 ms',
      met: d.medianMs < 2000,
    },
    { figure: 'of which the Graphviz layout (median of 3)', result: ms(d.layoutMedianMs) },
    { figure: 'first run, loading CDK and the WASM layout', result: ms(d.firstMs) },
    {
      figure: '`--format png`: SVG to PNG by resvg (median of 3)',
      result: ms(d.pngMedianMs),
    },
    {
      figure: '`berth diagram --local`, reference config, SVG (median of 3)',
      result: ms(d.localMedianMs),
    },
  ]);
}

for (const bench of selected) {
  process.stderr.write(`${bench.title}\n`);
  const loadAtStart = os.loadavg()[0]!;
  const outcome = await bench.run();
  results[bench.name] = outcome.result;
  recordFigures(bench.name, loadAtStart, outcome.figures);
}
results.figures = figureSets;
const doc = path.resolve(import.meta.dirname, '../docs/performance.md');
writePerformanceDoc(doc, figureSets);
// As Prettier would write it, so a fresh run keeps `npm run lint` green.
writeFileSync(doc, await format(readFileSync(doc, 'utf8'), { ...(await resolveConfig(doc)), filepath: doc }));

const widths = [0, 1, 2].map((i) =>
  Math.max(...rows.map((r) => r[i]!.length), ['measure', 'result', 'target'][i]!.length),
);
const line = (r: readonly string[]) =>
  r
    .map((c, i) => c.padEnd(widths[i]!))
    .join('  ')
    .trimEnd();
process.stdout.write(
  `${[line(['measure', 'result', 'target']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
);
// Formatted as the repository's Prettier check expects, so a fresh run keeps `npm run lint` green.
// Indented first: Prettier keeps an object expanded when its source has it so, which makes the file stable.
writeFileSync(
  out,
  await format(JSON.stringify(results, null, 2), { ...(await resolveConfig(out)), filepath: out }),
);
process.stdout.write(`written to ${path.relative(process.cwd(), out)}\n`);
