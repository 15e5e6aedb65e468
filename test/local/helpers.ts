import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parseConfig, type BerthConfig, type ResolvedConfig } from '../../src/config/index.ts';
import type { LocalEvent, LocalStatus } from '../../src/local/index.ts';
import { Edge } from '../../src/local/edge/edge.ts';
import { localDomain, type EdgeRules } from '../../src/local/edge/rules.ts';
import { TargetGroup, type Target } from '../../src/local/edge/target-group.ts';
import { ensureStateDir, statePaths } from '../../src/local/state/state-dir.ts';
import { ensureEdgeCertificate } from '../../src/local/tls/certificates.ts';
import { BERTH_BIN } from '../support/berth-cli.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CRUDDUR_CONFIG = path.join(ROOT, 'examples/cruddur/berth.config.ts');
export const FLIP_SERVER = path.join(import.meta.dirname, 'fixtures/flip-server.mjs');

/** Free ports for the edge and the Service Connect listeners, so tests can run side by side. */
export const PORT_FLAGS = ['--http-port', '0', '--https-port', '0', '--discovery-ports', 'free'];

/** A fresh folder for a test's state (`.berth/`), removed by `cleanup`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `berth-${prefix}-`));
}

/** The reference config, with its state kept in `baseDir` instead of next to the real config. */
export async function cruddurConfig(baseDir: string): Promise<ResolvedConfig> {
  const config = await loadConfig(CRUDDUR_CONFIG);
  return { ...config, baseDir };
}

/** A small config whose `api` service is the flip server, `replicas` times. */
export function flipConfig(
  baseDir: string,
  extra: Partial<BerthConfig['services'][string]> = {},
): ResolvedConfig {
  return parseConfig(flipRaw(extra), path.join(baseDir, 'berth.config.ts'));
}

/** The flip config as a file in `dir`, for the CLI; returns its path. */
export function writeFlipConfig(
  dir: string,
  extra: Partial<BerthConfig['services'][string]> = {},
  name = 'berth.config.ts',
): string {
  const file = path.join(dir, name);
  writeFileSync(file, `export default ${JSON.stringify(flipRaw(extra))};\n`);
  return file;
}

/** The flip app's config as written, one routed service `web`; `extra` adds to or replaces its fields. */
export function flipRaw(extra: Partial<BerthConfig['services'][string]>): BerthConfig {
  return {
    app: 'flip',
    env: { account: '123456789012', region: 'us-east-1' },
    domain: 'flip.example.com',
    hostedZone: { id: 'Z0123456789FLIP', name: 'flip.example.com' },
    services: {
      web: {
        image: { context: '.' },
        port: 3000,
        healthCheck: { path: '/health', interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 3 },
        route: { host: '@' },
        local: { command: [process.execPath, FLIP_SERVER] },
        shutdownSeconds: 2,
        ...extra,
      },
    },
  };
}

export interface EdgeResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A request to the edge on 127.0.0.1 as a browser would send it for `host`, trusting the local CA. */
export function edgeRequest(
  status: LocalStatus,
  host: string,
  pathname = '/',
  options: { scheme?: 'https' | 'http'; headers?: Record<string, string>; servername?: string } = {},
): Promise<EdgeResponse> {
  const scheme = options.scheme ?? 'https';
  const port = Number(new URL(scheme === 'https' ? status.edge.https : status.edge.http).port);
  const ca = readFileSync(status.caCertFile);
  return new Promise((resolve, reject) => {
    const req = (scheme === 'https' ? https : http).request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        servername: options.servername ?? host,
        ca,
        agent: false,
        headers: { host: `${host}:${port}`, ...options.headers },
        timeout: 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}${pathname}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends `text` as it is (requests node:http would not send) to 127.0.0.1:`port`, over TLS when `tls`
 * is given, and resolves with everything answered until the server closes the connection.
 */
export function rawExchange(
  port: number,
  text: string,
  tlsOptions?: { ca: Buffer; servername: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({ host: '127.0.0.1', port, ...tlsOptions })
      : net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => socket.write(text));
    socket.once('end', () => resolve(answer));
    socket.once('error', reject);
    socket.setTimeout(5_000, () =>
      socket.destroy(new Error(`no end of answer to ${JSON.stringify(text.slice(0, 60))}`)),
    );
  });
}

/** An edge of the suite's own on free ports, with its certificate and the CA that signed it. */
export interface TestEdge {
  readonly edge: Edge;
  readonly ports: { readonly httpPort: number; readonly httpsPort: number };
  /** The local CA's certificate, for clients that verify the edge's. */
  readonly ca: Buffer;
  /** Sends `text` as it is to the HTTPS listener, with SNI `<app>.localhost` (see rawExchange). */
  https(text: string): Promise<string>;
  /** Ends every connection, closes the listeners and removes the state folder. */
  stop(): Promise<void>;
}

/**
 * The edge for `<app>.localhost` with `rules` and `groups`, as `berth up` makes it: a local CA and
 * certificate in a fresh state folder, both listeners on free ports on 127.0.0.1.
 */
export async function startEdge(
  app: string,
  rules: Pick<EdgeRules, 'rules' | 'fallback'>,
  groups: Record<string, TargetGroup>,
): Promise<TestEdge> {
  const base = tempDir(`edge-${app}`);
  const paths = statePaths(base);
  ensureStateDir(paths);
  const certificate = await ensureEdgeCertificate(paths, app);
  const edge = new Edge({
    rules: { domain: localDomain(app), ...rules },
    groups: new Map(Object.entries(groups)),
    tls: certificate,
    httpPort: 0,
    httpsPort: 0,
  });
  const ports = await edge.listen();
  const ca = readFileSync(certificate.caCertFile);
  return {
    edge,
    ports,
    ca,
    https: (text) => rawExchange(ports.httpsPort, text, { ca, servername: localDomain(app) }),
    stop: async () => {
      edge.destroy();
      await edge.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Records what the core reports, for assertions on events rather than on printed text. */
export function recorder(): { events: LocalEvent[]; notify: (e: LocalEvent) => void } {
  const events: LocalEvent[] = [];
  return { events, notify: (e) => events.push(e) };
}

/**
 * Whether the process runs: a zombie (ended, not yet waited for by its parent, which under an init
 * that does not reap is forever) counts as gone. Read from /proc here, not with berth's own check.
 */
export function alive(pid: number, proc = '/proc'): boolean {
  const state = procState(pid, proc);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The state letter of a process in `proc`/PID/stat (R, S, T for stopped, Z for zombie), undefined when there is none. */
export function procState(pid: number, proc = '/proc'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name before it may hold spaces and parentheses: the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** Every PID of every task in a status, for leftover checks. */
export function taskPids(status: LocalStatus): number[] {
  return status.services.flatMap((s) => s.tasks.flatMap((t) => (t.pid === undefined ? [] : [t.pid])));
}

/** Last-resort cleanup for afterAll: kills task process groups that are still there and removes the folder. */
export function cleanup(dir: string, pids: readonly number[] = []): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone: the normal case.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `berth ARGS` in the background, with its stdout and stderr collected together. */
export function startBerth(args: readonly string[]): {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BERTH_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/**
 * A target group with `server` registered as its one target `t1`, checked healthy once on
 * `/health`; later checks wait a minute, so a test decides what the target answers.
 */
export async function healthyGroup(
  name: string,
  server: http.Server,
): Promise<{ group: TargetGroup; target: Target }> {
  const group = new TargetGroup(name, {
    path: '/health',
    intervalMs: 60_000,
    initialIntervalMs: 10,
    timeoutMs: 1_000,
    healthyThreshold: 1,
    unhealthyThreshold: 2,
  });
  const target = group.register({
    id: 't1',
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
  });
  await group.waitHealthy('t1', 5_000);
  return { group, target };
}
