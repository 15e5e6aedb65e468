import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { benchDiagram } from './diagram.ts';
import { benchEdge } from './edge.ts';
import { benchUp } from './local-up.ts';
import { benchStartup } from './startup.ts';

/**
 * `npm run bench [up|edge|diagram|startup]`: timings of `berth up`, of its edge, of `berth diagram` and of the installed CLI's start, printed as a table and written to
 * bench/results.json. Needs the apps built (`npm run build`) and Debian's `wrk` and `nginx`.
 */
const which = process.argv[2] ?? 'all';
const out = path.join(import.meta.dirname, 'results.json');
// A partial run (`up` or `edge`) keeps the other part of the last results.
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
// The startup bench records its own date and load: the top-level ones belong to up and edge.
const results: Record<string, unknown> =
  which === 'startup'
    ? { ...previous }
    : {
        ...previous,
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
        node: process.version,
      };
const rows: [string, string, string][] = [];
const ms = (n: number) => `${n.toFixed(0)} ms`;

for (const tool of which === 'up' || which === 'diagram' || which === 'startup' ? [] : ['wrk', 'nginx']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is not installed: apt-get install -y wrk nginx`);
  }
}

if (which === 'all' || which === 'up') {
  process.stderr.write('cold berth up (process engine), 3 runs...\n');
  const up = await benchUp(3);
  results.up = up;
  rows.push(['cold berth up to all healthy (median of 3)', ms(up.medianMs), 'under 5000 ms']);
  rows.push(['stop on SIGTERM (max of 3)', ms(Math.max(...up.stopMs)), 'within the drain time']);
}

if (which === 'all' || which === 'startup') {
  process.stderr.write('npm pack, install into an empty folder, berth --help 15 times...\n');
  const startup = benchStartup(15);
  results.startup = startup;
  rows.push(['berth --help, installed package (median of 15)', ms(startup.helpMedianMs), 'under 300 ms']);
  rows.push(["node -e '' on this machine (median of 15)", ms(startup.nodeFloorMedianMs), '']);
  rows.push(['berth --help in this repository, tsx on src (median)', ms(startup.repositoryHelpMedianMs), '']);
  rows.push([
    'modules berth --help loads',
    Object.entries(startup.helpLoads)
      .map(([pkg, n]) => `${pkg} ${n}`)
      .join(', '),
    '',
  ]);
  rows.push([
    'CDK, cdk-nag or SDK loaded by --help (also synth/status --help)',
    startup.heavyLoadedByHelp.join(', ') || 'none',
    'none',
  ]);
}

if (which === 'all' || which === 'edge') {
  process.stderr.write('edge vs direct vs nginx vs Node floor, wrk -t1 -c10, 3 interleaved rounds...\n');
  const edge = await benchEdge();
  results.edge = edge;
  const rps = (n: number) => `${Math.round(n)} req/s`;
  rows.push(['backend direct (HTTP)', rps(edge.direct.requestsPerSecond), '']);
  rows.push(['through berth edge (HTTPS)', rps(edge.edge.requestsPerSecond), '']);
  rows.push(['through nginx, same routing (HTTPS)', rps(edge.nginx.requestsPerSecond), '']);
  rows.push(['through the Node floor, no berth logic (HTTPS)', rps(edge.nodeFloor.requestsPerSecond), '']);
  const range = (ratios: readonly number[]) =>
    ` (rounds ${ratios[0]!.toFixed(2)} to ${ratios[ratios.length - 1]!.toFixed(2)})`;
  rows.push([
    'edge / direct',
    edge.edgeVsDirect.toFixed(2) + range(edge.perRound.edgeVsDirect),
    'at least 0.5',
  ]);
  rows.push(['edge / nginx', edge.edgeVsNginx.toFixed(2) + range(edge.perRound.edgeVsNginx), 'at least 0.6']);
  rows.push([
    'edge / Node floor (what berth adds)',
    edge.edgeVsNodeFloor.toFixed(2) + range(edge.perRound.edgeVsNodeFloor),
    '',
  ]);
  rows.push(['Node floor / direct (most a Node edge reaches)', edge.nodeFloorVsDirect.toFixed(2), '']);
  rows.push(['added p50 latency (wrk -c1)', `${edge.addedP50Ms.toFixed(3)} ms`, 'under 1 ms']);
  rows.push([
    'errors (non-2xx + socket)',
    String(edge.direct.errors + edge.edge.errors + edge.nginx.errors + edge.nodeFloor.errors),
    '0',
  ]);
}

if (which === 'all' || which === 'diagram') {
  process.stderr.write('berth diagram of the reference config, 1 cold + 3 runs...\n');
  const d = await benchDiagram(3);
  results.diagram = d;
  rows.push(['diagram of the reference config, SVG (median of 3)', ms(d.medianMs), 'under 2000 ms']);
  rows.push(['  of which the Graphviz layout (median of 3)', ms(d.layoutMedianMs), '']);
  rows.push(['  first run, loading CDK and the WASM layout', ms(d.firstMs), '']);
}

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
