import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { up } from '../src/local/index.ts';
import { freePort } from '../src/shared/net.ts';
import { wrk, type WrkResult } from '../test/local/wrk.ts';
import { startCaddy } from './caddy.ts';
import { startNginx } from './nginx.ts';
import { atLeast, median, type Figure } from './figures.ts';
import { startNodeFloor } from './node-floor.ts';

export interface EdgeBenchResult {
  readonly settings: { seconds: number; connections: number; rounds: number };
  readonly direct: Measure;
  readonly edge: Measure;
  readonly nginx: Measure;
  /** Caddy with its internal CA doing the same host routing (bench/caddy.ts). */
  readonly caddy: Measure;
  /** A bare proxy on Node's HTTPS server and undici, without berth's logic (bench/node-floor.ts). */
  readonly nodeFloor: Measure;
  readonly edgeVsDirect: number;
  readonly edgeVsNginx: number;
  readonly edgeVsCaddy: number;
  /** What berth's own code costs: 1 would be none at all. */
  readonly edgeVsNodeFloor: number;
  /** The most any edge on Node's server and undici reaches on this machine, as a share of direct. */
  readonly nodeFloorVsDirect: number;
  /** The same ratios within each interleaved round, lowest to highest: how much the machine moved. */
  readonly perRound: {
    readonly edgeVsDirect: readonly number[];
    readonly edgeVsNginx: readonly number[];
    readonly edgeVsCaddy: readonly number[];
    readonly edgeVsNodeFloor: readonly number[];
  };
  readonly addedP50Ms: number;
}

/** The ways through, measured in this order in each round. */
const NAMES = ['direct', 'edge', 'nginx', 'caddy', 'nodeFloor'] as const;
type Name = (typeof NAMES)[number];

interface Measure {
  readonly requestsPerSecond: number;
  /** p50 latency with one connection, the per-request cost without queueing. */
  readonly p50Ms: number;
  readonly errors: number;
}

/**
 * Throughput and latency of the backend's health check four ways, interleaved in one run: direct to
 * the backend task, through berth's edge, through nginx doing the same host routing and TLS, and
 * through the Node.js floor (the same server and client as the edge, none of berth's logic).
 */
export async function benchEdge(
  options: { seconds?: number; connections?: number; rounds?: number } = {},
): Promise<EdgeBenchResult> {
  const seconds = options.seconds ?? 8;
  const connections = options.connections ?? 10;
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-edge-'));
  const config = {
    ...(await loadConfig(path.resolve(import.meta.dirname, '../examples/cruddur/berth.config.ts'))),
    baseDir: dir,
  };
  // Whatever has started is stopped, in reverse order, however the run ends.
  const started: (() => Promise<void>)[] = [];
  const load = { direct: [], edge: [], nginx: [], caddy: [], nodeFloor: [] } as Record<Name, WrkResult[]>;
  const single = { direct: [], edge: [], nginx: [], caddy: [], nodeFloor: [] } as Record<Name, WrkResult[]>;
  try {
    const run = await up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' });
    started.push(() => run.stop());
    const status = run.status();
    const edgePort = Number(new URL(status.edge.https).port);
    const backendPort = status.services.find((s) => s.id === 'backend')!.tasks[0]!.port;
    const cert = path.join(dir, '.berth/edge.crt');
    const key = path.join(dir, '.berth/edge.key');
    const nginx = await startNginx({
      dir: path.join(dir, 'nginx'),
      httpsPort: await freePort(),
      host: 'api.cruddur.localhost',
      upstreamPort: backendPort,
      cert,
      key,
    });
    started.push(() => nginx.stop());
    const caddy = await startCaddy({
      dir: path.join(dir, 'caddy'),
      httpsPort: await freePort(),
      httpPort: await freePort(),
      host: 'api.cruddur.localhost',
      upstreamPort: backendPort,
    });
    started.push(() => caddy.stop());
    const floor = await startNodeFloor({
      upstreamPort: backendPort,
      cert: readFileSync(cert, 'utf8'),
      key: readFileSync(key, 'utf8'),
    });
    started.push(() => floor.stop());
    const https = (port: number) => ({
      url: `https://127.0.0.1:${port}/api/health-check`,
      host: `api.cruddur.localhost:${port}`,
    });
    const targets: Record<Name, { url: string; host?: string }> = {
      direct: { url: `http://127.0.0.1:${backendPort}/api/health-check` },
      edge: https(edgePort),
      nginx: https(nginx.httpsPort),
      caddy: https(caddy.httpsPort),
      nodeFloor: https(floor.httpsPort),
    };
    for (const t of Object.values(targets))
      await wrk(t.url, { seconds: 1, connections, ...(t.host ? { host: t.host } : {}) });
    for (let round = 0; round < rounds; round += 1) {
      for (const name of NAMES) {
        const t = targets[name];
        const host = t.host ? { host: t.host } : {};
        load[name].push(await wrk(t.url, { seconds, connections, ...host }));
        single[name].push(await wrk(t.url, { seconds: Math.max(2, seconds / 2), connections: 1, ...host }));
      }
    }
  } finally {
    for (const stop of started.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const measure = (name: Name): Measure => ({
    requestsPerSecond: median(load[name].map((r) => r.requestsPerSecond)),
    p50Ms: median(single[name].map((r) => r.latencyP50Ms ?? Number.NaN)),
    errors: [...load[name], ...single[name]].reduce(
      (n, r) => n + r.non2xx + Object.values(r.socketErrors).reduce((a, b) => a + b, 0),
      0,
    ),
  });
  const perRound = (other: Name) =>
    load.edge.map((r, i) => r.requestsPerSecond / load[other][i]!.requestsPerSecond).sort((a, b) => a - b);
  const direct = measure('direct');
  const edge = measure('edge');
  const nginxMeasure = measure('nginx');
  const caddyMeasure = measure('caddy');
  const nodeFloor = measure('nodeFloor');
  return {
    settings: { seconds, connections, rounds },
    direct,
    edge,
    nginx: nginxMeasure,
    caddy: caddyMeasure,
    nodeFloor,
    edgeVsDirect: edge.requestsPerSecond / direct.requestsPerSecond,
    edgeVsNginx: edge.requestsPerSecond / nginxMeasure.requestsPerSecond,
    edgeVsCaddy: edge.requestsPerSecond / caddyMeasure.requestsPerSecond,
    edgeVsNodeFloor: edge.requestsPerSecond / nodeFloor.requestsPerSecond,
    nodeFloorVsDirect: nodeFloor.requestsPerSecond / direct.requestsPerSecond,
    perRound: {
      edgeVsDirect: perRound('direct'),
      edgeVsNginx: perRound('nginx'),
      edgeVsCaddy: perRound('caddy'),
      edgeVsNodeFloor: perRound('nodeFloor'),
    },
    addedP50Ms: edge.p50Ms - direct.p50Ms,
  };
}

/** The edge's lines in docs/performance.md. */
export function edgeFigures(r: EdgeBenchResult): Figure[] {
  const rps = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
  const rounds = (ratios: readonly number[]) =>
    ` (rounds ${ratios[0]!.toFixed(2)} to ${ratios[ratios.length - 1]!.toFixed(2)})`;
  return [
    {
      figure: 'edge (HTTPS, host routing) vs Caddy `tls internal`',
      result: rps(r.edge.requestsPerSecond),
      reference: `Caddy ${rps(r.caddy.requestsPerSecond)}${rounds(r.perRound.edgeVsCaddy)}`,
      ...atLeast(r.edgeVsCaddy, 1),
    },
    {
      figure: 'edge vs nginx, same routing and certificate',
      result: rps(r.edge.requestsPerSecond),
      reference: `nginx ${rps(r.nginx.requestsPerSecond)}${rounds(r.perRound.edgeVsNginx)}`,
      ...atLeast(r.edgeVsNginx, 0.6),
    },
    {
      figure: 'edge vs direct to the backend (HTTP)',
      result: rps(r.edge.requestsPerSecond),
      reference: `direct ${rps(r.direct.requestsPerSecond)}${rounds(r.perRound.edgeVsDirect)}`,
      ...atLeast(r.edgeVsDirect, 0.5),
    },
    {
      figure: 'edge vs the Node floor (what berth adds)',
      result: rps(r.edge.requestsPerSecond),
      reference: `Node floor ${rps(r.nodeFloor.requestsPerSecond)}${rounds(r.perRound.edgeVsNodeFloor)}`,
      ratio: r.edgeVsNodeFloor,
    },
    {
      figure: 'edge added p50 latency (wrk -c1)',
      result: `${r.addedP50Ms.toFixed(3)} ms`,
      reference: `Caddy adds ${(r.caddy.p50Ms - r.direct.p50Ms).toFixed(3)} ms, nginx ${(r.nginx.p50Ms - r.direct.p50Ms).toFixed(3)} ms`,
      goal: 'under 1 ms',
      met: r.addedP50Ms < 1,
    },
    {
      figure: 'edge bench errors (non-2xx + socket), all five ways',
      result: String(r.direct.errors + r.edge.errors + r.nginx.errors + r.caddy.errors + r.nodeFloor.errors),
      goal: '0',
      met: r.direct.errors + r.edge.errors + r.nginx.errors + r.caddy.errors + r.nodeFloor.errors === 0,
    },
  ];
}
