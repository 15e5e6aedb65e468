import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { up } from '../src/local/index.ts';
import { freePort } from '../src/shared/net.ts';
import { wrk, type WrkResult } from '../test/local/wrk.ts';
import { startNginx } from './nginx.ts';
import { startNodeFloor } from './node-floor.ts';

export interface EdgeBenchResult {
  readonly settings: { seconds: number; connections: number; rounds: number };
  readonly direct: Measure;
  readonly edge: Measure;
  readonly nginx: Measure;
  /** A bare proxy on Node's HTTPS server and undici, without berth's logic (bench/node-floor.ts). */
  readonly nodeFloor: Measure;
  readonly edgeVsDirect: number;
  readonly edgeVsNginx: number;
  /** What berth's own code costs: 1 would be none at all. */
  readonly edgeVsNodeFloor: number;
  /** The most any edge on Node's server and undici reaches on this machine, as a share of direct. */
  readonly nodeFloorVsDirect: number;
  /** The same ratios within each interleaved round, lowest to highest: how much the machine moved. */
  readonly perRound: {
    readonly edgeVsDirect: readonly number[];
    readonly edgeVsNginx: readonly number[];
    readonly edgeVsNodeFloor: readonly number[];
  };
  readonly addedP50Ms: number;
}

/** The ways through, measured in this order in each round. */
const NAMES = ['direct', 'edge', 'nginx', 'nodeFloor'] as const;
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
  const load = { direct: [], edge: [], nginx: [], nodeFloor: [] } as Record<Name, WrkResult[]>;
  const single = { direct: [], edge: [], nginx: [], nodeFloor: [] } as Record<Name, WrkResult[]>;
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
  const nodeFloor = measure('nodeFloor');
  return {
    settings: { seconds, connections, rounds },
    direct,
    edge,
    nginx: nginxMeasure,
    nodeFloor,
    edgeVsDirect: edge.requestsPerSecond / direct.requestsPerSecond,
    edgeVsNginx: edge.requestsPerSecond / nginxMeasure.requestsPerSecond,
    edgeVsNodeFloor: edge.requestsPerSecond / nodeFloor.requestsPerSecond,
    nodeFloorVsDirect: nodeFloor.requestsPerSecond / direct.requestsPerSecond,
    perRound: {
      edgeVsDirect: perRound('direct'),
      edgeVsNginx: perRound('nginx'),
      edgeVsNodeFloor: perRound('nodeFloor'),
    },
    addedP50Ms: edge.p50Ms - direct.p50Ms,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
