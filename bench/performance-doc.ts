import { writeFileSync } from 'node:fs';
import type { Figure } from './figures.ts';

/** One bench module's figures as run.ts stores them in bench/results.json. */
export interface FigureSet {
  readonly date: string;
  readonly machine: string;
  /** 1-minute load average when the module started and when it ended: how busy the machine was. */
  readonly load: readonly [number, number];
  readonly figures: readonly Figure[];
}

const ORDER = ['backend', 'edge', 'check', 'startup', 'cli', 'up', 'images', 'diagram'];

const cell = (text: string | undefined) => (text ?? '').replaceAll('|', '\\|');

/**
 * docs/performance.md from the stored figures: every figure beside its reference, with the goal and
 * whether it was met, the date and the machine. Written whole by each run; the prose lives here.
 */
export function writePerformanceDoc(file: string, sets: Readonly<Record<string, FigureSet>>): void {
  const names = Object.keys(sets).sort(
    (a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const rows: string[] = [];
  for (const name of names) {
    const set = sets[name]!;
    for (const f of set.figures) {
      rows.push(
        `| ${name} | ${cell(f.figure)} | ${cell(f.result)} | ${cell(f.reference)} | ${
          f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}x`
        } | ${cell(f.goal)} | ${f.met === undefined ? '' : f.met ? 'met' : '**missed**'} | ${set.date.slice(0, 16).replace('T', ' ')} |`,
      );
    }
  }
  const runs = names.map(
    (name) =>
      `| ${name} | ${sets[name]!.date.slice(0, 16).replace('T', ' ')} UTC | ${cell(sets[name]!.machine)} | ${sets[name]!.load[0].toFixed(1)} to ${sets[name]!.load[1].toFixed(1)} |`,
  );
  const missed = names.flatMap((n) =>
    sets[n]!.figures.filter((f) => f.met === false).map((f) => `${n}: ${f.figure}`),
  );
  writeFileSync(
    file,
    `# Performance

Every performance claim berth makes, measured side by side with its anchor in one run on one
machine by \`npm run bench\` (bench/run.ts), which writes this table and bench/results.json.
\`npm run bench <name>\` reruns one part (\`backend\`, \`edge\`, \`check\`, \`startup\`, \`cli\`, \`up\`, \`images\`, \`diagram\`)
and keeps the others' last figures. CI does not run it. A goal missed is shown as **missed**,
never left out. Written by bench/performance-doc.ts: edit the prose there, not here.

| part | figure | result | reference (same run) | ratio | goal | met | date (UTC) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${missed.length === 0 ? 'Every goal was met in the last run.' : `Missed in the last run: ${missed.join('; ')}.`}

## How each part is measured

- **backend**: the production bundle (\`examples/cruddur/backend/bundle/dist/server.js\`,
  \`NODE_ENV=production\`, logging at info to a file), bare Fastify 5 with the logger off
  (\`bench/reference/bare-fastify.mjs\`) and the seed's Flask health check run as it ran
  (\`python3 -m flask run\`, \`bench/reference/app.py\`), all started at once; wrk -t1 -c10 for 5 s on
  each server and route, three rounds in a rotated order, medians. CPU per request is the server's
  user + system time over the requests it answered: the figure the machine's load moves least.
  With \`BENCH_BACKEND_BEFORE=<server.js>\` another build is measured in the same rounds (the
  before of a change). Peak RSS is the process's high-water mark after all rounds.
- **edge**: the backend's health check five ways, interleaved: direct, through berth's edge (HTTPS,
  host routing), nginx (one worker, same certificate and routing), Caddy (\`tls internal\`,
  \`reverse_proxy\`, its defaults: all cores, no access log) and the Node floor (Node's HTTPS server
  and undici with none of berth's logic). wrk -c10 for throughput, -c1 for p50.
- **check**: \`berth check\` on the reference config (examples/cruddur) as a user runs it, and with
  \`--skip-lint\`, against \`cdk synth\` of the smallest aws-ecs-patterns app
  (\`bench/reference/ecs-patterns-app.ts\`, App.synth, node with tsx as berth runs); alternated, medians.
- **startup**: \`npm pack\` of berth installed into an empty folder outside the repository, then
  \`berth --help\` and \`berth status\` (a config beside it, nothing running) from spawn to exit,
  medians of 15: what a user runs, the compiled dist/. The 300 ms start-up goal is judged here. Also
  which heavy packages (CDK, cdk-nag, the AWS SDK) \`--help\` loads: none may.
- **cli**: the same two commands in this repository, where bin/berth.js runs src/ through tsx so
  that an edit needs no build: the development loop, against \`node -e 0\`; alternated, medians of 7.
  tsx alone adds about 100 ms, so these carry no goal of their own.
- **images**: the images \`berth build\` left in podman's store, read as \`berth check --images\`
  reads them; the bench does not build them.
- **diagram**: \`berth diagram\` of the reference config, SVG, PNG and \`--local\`, medians of 3, and
  the first run in a fresh process (loading CDK and the WASM layout).

## The machine and its load

Figures from a shared 2-core machine are noisy; the load average says how busy it was while each
part ran, and the ratios (both sides in the same rounds) move far less than the absolute figures.

| part | date | machine | load average (start to end) |
|---|---|---|---|
${runs.join('\n')}
`,
  );
}
