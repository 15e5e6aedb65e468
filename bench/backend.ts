import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/shared/net.ts';
import { wrk, type WrkResult } from '../test/local/wrk.ts';
import {
  atLeast,
  cpuMs,
  median,
  peakRssMB,
  type BenchModule,
  type BenchOutcome,
  type Figure,
} from './figures.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BACKEND = path.join(ROOT, 'examples/cruddur/backend/bundle/dist/server.js');
const HEALTH = '/api/health-check';
const HOME = '/api/activities/home';

/** A server under test: how to start it on a port, and the routes it is measured on. */
interface Target {
  readonly name: string;
  readonly label: string;
  readonly routes: readonly string[];
  start(port: number, logFile: number): ChildProcess;
}

const production = (name: string, label: string, script: string): Target => ({
  name,
  label,
  routes: [HEALTH, HOME],
  // As the image runs it (Containerfile: NODE_ENV=production, the config's FRONTEND_URL), logging at
  // info to stdout, which goes to a file here as it goes to the container runtime in a task.
  start: (port, log) =>
    spawn(process.execPath, [script], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        FRONTEND_URL: 'https://cruddur.example.com',
      },
      stdio: ['ignore', log, log],
    }),
});

const TARGETS: readonly Target[] = [
  production('backend', 'berth backend (bundle, NODE_ENV=production)', BACKEND),
  {
    name: 'bareFastify',
    label: 'bare Fastify 5, logger off (bench/reference/bare-fastify.mjs)',
    routes: [HEALTH],
    start: (port, log) =>
      spawn(process.execPath, [path.join(import.meta.dirname, 'reference/bare-fastify.mjs')], {
        env: { PATH: process.env.PATH ?? '', PORT: String(port) },
        stdio: ['ignore', log, log],
      }),
  },
  {
    name: 'flask',
    label: "the seed's Flask health check, `python3 -m flask run` (bench/reference/app.py)",
    routes: [HEALTH],
    start: (port, log) =>
      spawn('python3', ['-m', 'flask', 'run', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: path.join(import.meta.dirname, 'reference'),
        env: { ...process.env, FLASK_APP: 'app.py' },
        stdio: ['ignore', log, log],
      }),
  },
];

interface RouteMeasure {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU time (user + system) per request: the figure the machine's load moves least. */
  readonly cpuMicrosPerRequest: number;
  readonly errors: number;
  readonly perRound: readonly number[];
}

export interface BackendBenchResult {
  readonly settings: { seconds: number; connections: number; rounds: number };
  readonly servers: Record<
    string,
    { label: string; peakRssMB: number; routes: Record<string, RouteMeasure> }
  >;
}

/**
 * The production backend against the Fastify ceiling and the seed's Flask, both routes, interleaved:
 * each round measures every server and route once, in a rotated order. With BENCH_BACKEND_BEFORE set
 * to another build's server.js, that build is measured too (the before of a change).
 */
export async function benchBackend(
  options: { seconds?: number; connections?: number; rounds?: number } = {},
): Promise<BackendBenchResult> {
  const seconds = options.seconds ?? 5;
  const connections = options.connections ?? 10;
  const rounds = options.rounds ?? 3;
  const before = process.env.BENCH_BACKEND_BEFORE;
  const targets =
    before && existsSync(before)
      ? [...TARGETS, production('backendBefore', `before: ${path.relative(ROOT, before)}`, before)]
      : TARGETS;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-backend-'));
  const running: { target: Target; child: ChildProcess; port: number; logFd: number }[] = [];
  const samples = new Map<string, { wrk: WrkResult; cpuMs: number }[]>();
  const servers: BackendBenchResult['servers'] = {};
  try {
    for (const target of targets) {
      const port = await freePort();
      const logFd = openSync(path.join(dir, `${target.name}.log`), 'w');
      const child = target.start(port, logFd);
      running.push({ target, child, port, logFd });
      await waitForHealth(port, child, target.name);
    }
    const jobs = running.flatMap((r) => r.target.routes.map((route) => ({ ...r, route })));
    for (const job of jobs)
      await wrk(`http://127.0.0.1:${job.port}${job.route}`, { seconds: 1, connections });
    for (let round = 0; round < rounds; round += 1) {
      const order = [...jobs.slice(round % jobs.length), ...jobs.slice(0, round % jobs.length)];
      for (const job of order) {
        const cpuBefore = cpuMs(job.child.pid!);
        const result = await wrk(`http://127.0.0.1:${job.port}${job.route}`, { seconds, connections });
        const key = `${job.target.name} ${job.route}`;
        samples.set(key, [
          ...(samples.get(key) ?? []),
          { wrk: result, cpuMs: cpuMs(job.child.pid!) - cpuBefore },
        ]);
      }
    }
    for (const { target, child } of running) {
      const routes: Record<string, RouteMeasure> = {};
      for (const route of target.routes) {
        const runs = samples.get(`${target.name} ${route}`) ?? [];
        routes[route] = {
          requestsPerSecond: median(runs.map((r) => r.wrk.requestsPerSecond)),
          p50Ms: median(runs.map((r) => r.wrk.latencyP50Ms ?? Number.NaN)),
          p99Ms: median(runs.map((r) => r.wrk.latencyP99Ms ?? Number.NaN)),
          cpuMicrosPerRequest: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(1, r.wrk.requests))),
          errors: runs.reduce(
            (n, r) => n + r.wrk.non2xx + Object.values(r.wrk.socketErrors).reduce((a, b) => a + b, 0),
            0,
          ),
          perRound: runs.map((r) => Math.round(r.wrk.requestsPerSecond)),
        };
      }
      servers[target.name] = { label: target.label, peakRssMB: peakRssMB(child.pid!), routes };
    }
  } finally {
    for (const { child, logFd } of running.reverse()) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      closeSync(logFd);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { settings: { seconds, connections, rounds }, servers };
}

async function waitForHealth(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode} before answering`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${HEALTH}`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${HEALTH} within 30 s`);
    await sleep(100);
  }
}

const rps = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
const msText = (n: number) => `${n.toFixed(2)} ms`;

export function backendFigures(r: BackendBenchResult): Figure[] {
  const backend = r.servers.backend!;
  const bare = r.servers.bareFastify!;
  const flask = r.servers.flask!;
  const health = backend.routes[HEALTH]!;
  const home = backend.routes[HOME]!;
  const bareHealth = bare.routes[HEALTH]!;
  const flaskHealth = flask.routes[HEALTH]!;
  const ratio = (a: number, b: number) => a / b;
  const figures: Figure[] = [
    {
      figure: 'backend /api/health-check vs bare Fastify',
      result: rps(health.requestsPerSecond),
      reference: `bare Fastify ${rps(bareHealth.requestsPerSecond)}`,
      ...atLeast(ratio(health.requestsPerSecond, bareHealth.requestsPerSecond), 0.8),
    },
    {
      figure: 'backend /api/health-check vs Flask',
      result: rps(health.requestsPerSecond),
      reference: `Flask ${rps(flaskHealth.requestsPerSecond)}`,
      ...atLeast(ratio(health.requestsPerSecond, flaskHealth.requestsPerSecond), 25),
    },
    {
      figure: 'backend /api/activities/home vs Flask health check',
      result: rps(home.requestsPerSecond),
      reference: `Flask ${rps(flaskHealth.requestsPerSecond)}`,
      ...atLeast(ratio(home.requestsPerSecond, flaskHealth.requestsPerSecond), 20),
    },
    {
      figure: 'backend CPU per request, /api/health-check (bare / backend)',
      result: `${health.cpuMicrosPerRequest.toFixed(1)} µs`,
      reference: `bare Fastify ${bareHealth.cpuMicrosPerRequest.toFixed(1)} µs`,
      ratio: ratio(bareHealth.cpuMicrosPerRequest, health.cpuMicrosPerRequest),
    },
    {
      figure: 'backend CPU per request, /api/activities/home',
      result: `${home.cpuMicrosPerRequest.toFixed(1)} µs`,
      reference: `Flask health check ${flaskHealth.cpuMicrosPerRequest.toFixed(0)} µs`,
    },
    {
      figure: 'backend p50 / p99, /api/health-check (-c10)',
      result: `${msText(health.p50Ms)} / ${msText(health.p99Ms)}`,
      reference: `bare Fastify ${msText(bareHealth.p50Ms)} / ${msText(bareHealth.p99Ms)}; Flask ${msText(flaskHealth.p50Ms)} / ${msText(flaskHealth.p99Ms)}`,
      goal: 'p99 under 2 ms',
      met: health.p99Ms < 2,
    },
    {
      figure: 'backend p50 / p99, /api/activities/home (-c10)',
      result: `${msText(home.p50Ms)} / ${msText(home.p99Ms)}`,
      goal: 'p99 under 2 ms',
      met: home.p99Ms < 2,
    },
    {
      figure: 'backend peak RSS under load (both routes)',
      result: `${backend.peakRssMB.toFixed(0)} MB`,
      reference: `bare Fastify ${bare.peakRssMB.toFixed(0)} MB; Flask ${flask.peakRssMB.toFixed(0)} MB`,
      goal: 'under 120 MB',
      met: backend.peakRssMB < 120,
    },
  ];
  const before = r.servers.backendBefore;
  if (before) {
    const bh = before.routes[HEALTH]!;
    const bhome = before.routes[HOME]!;
    figures.push(
      {
        figure: 'backend before this change: /api/health-check vs bare Fastify',
        result: `${rps(bh.requestsPerSecond)}, ${bh.cpuMicrosPerRequest.toFixed(1)} µs CPU, p99 ${msText(bh.p99Ms)}`,
        reference: `bare Fastify ${rps(bareHealth.requestsPerSecond)}`,
        ratio: bh.requestsPerSecond / bareHealth.requestsPerSecond,
      },
      {
        figure: 'backend before this change: /api/activities/home',
        result: `${rps(bhome.requestsPerSecond)}, ${bhome.cpuMicrosPerRequest.toFixed(1)} µs CPU, p99 ${msText(bhome.p99Ms)}`,
        reference: `Flask ${rps(flaskHealth.requestsPerSecond)}`,
        ratio: bhome.requestsPerSecond / flaskHealth.requestsPerSecond,
      },
      {
        figure: 'backend before this change: peak RSS',
        result: `${before.peakRssMB.toFixed(0)} MB`,
      },
    );
  }
  return figures;
}

export const backendBench: BenchModule = {
  name: 'backend',
  title: 'backend vs bare Fastify vs Flask, wrk -t1 -c10, 3 interleaved rounds...',
  tools: ['wrk', 'python3'],
  async run(): Promise<BenchOutcome<BackendBenchResult>> {
    if (!existsSync(BACKEND)) throw new Error(`${BACKEND} is missing: run npm run build first`);
    const result = await benchBackend();
    return { result, figures: backendFigures(result) };
  },
};
