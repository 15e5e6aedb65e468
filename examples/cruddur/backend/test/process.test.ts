import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';

// These tests run the built server the way a container does: `node dist/server.js`.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const HEALTHCHECK = fileURLToPath(new URL('../dist/healthcheck.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(SERVER) || !existsSync(HEALTHCHECK)) {
    throw new Error('dist/ is missing: run `npm run build -w @cruddur/backend` first (root `npm test` does)');
  }
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<Exit>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Runs a built script with only the variables given (plus PATH), like a container's environment. */
function run(script: string, env: Record<string, string>): Running & { readonly port: number } {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as Exit);
  return { child, port: Number(env.PORT), stdout: () => stdout, stderr: () => stderr, exited };
}

async function startServer(env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const server = run(SERVER, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const deadline = Date.now() + 20_000;
  while (!server.stdout().includes('Server listening')) {
    if (server.child.exitCode !== null)
      throw new Error(`server exited early:\n${server.stdout()}${server.stderr()}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${server.stdout()}${server.stderr()}`);
    await sleep(25);
  }
  return server;
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A GET over a kept-alive connection; the connection stays open, idle, afterwards. */
async function getKeepingAlive(port: number, agent: Agent): Promise<number> {
  const req = request({ host: '127.0.0.1', port, path: '/api/activities/home', agent });
  req.end();
  const [response] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode ?? 0;
}

describe('node dist/server.js', () => {
  it('logs JSON and serves the API', async () => {
    const server = await startServer();

    const response = await fetch(`http://127.0.0.1:${server.port}/api/health-check`);

    expect(await response.json()).toEqual({ success: true });
    expect(logLines(server.stdout())).toContainEqual(
      expect.objectContaining({ msg: 'activities store ready', store: 'memory' }),
    );
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits 0 on %s, closing an idle kept-alive connection',
    async (signal) => {
      const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '5000' });
      const agent = new Agent({ keepAlive: true });
      expect(await getKeepingAlive(server.port, agent)).toBe(200);

      server.child.kill(signal);

      // An idle connection left open would hold the close until the timeout, which exits 1.
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(logLines(server.stdout())).toContainEqual(expect.objectContaining({ msg: 'closing', signal }));
      agent.destroy();
    },
  );

  it('writes the access line of the last request before SIGTERM, after a burst, before it exits', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '5000' });
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const get = (id: string) =>
      new Promise<void>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: server.port,
          path: '/api/activities/home',
          agent,
          headers: { 'x-request-id': id },
        });
        req.once('error', reject);
        req.once('response', (response) => response.resume().once('end', resolve));
        req.end();
      });
    // Lines queue up in the asynchronous log destination while the server is busy.
    await Promise.all(Array.from({ length: 500 }, (_, i) => get(`burst-${i}`)));
    await get('last-before-sigterm');

    server.child.kill('SIGTERM');

    expect(await server.exited).toEqual({ code: 0, signal: null });
    const lines = logLines(server.stdout());
    expect(lines.filter((line) => String(line.reqId).startsWith('burst-'))).toHaveLength(500);
    expect(lines).toContainEqual(
      expect.objectContaining({ reqId: 'last-before-sigterm', msg: 'request', status: 200 }),
    );
    agent.destroy();
  });

  it('finishes a request in flight at SIGTERM, tells its client to hang up, then exits 0', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '5000' });
    const body = JSON.stringify({ handle: 'worf', message: 'Today is a good day to die' });
    const socket = connect(server.port, '127.0.0.1');
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    // Headers and half the body: the server has started on the request and waits for the rest.
    socket.write(
      `POST /api/activities HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await sleep(300);

    server.child.kill('SIGTERM');
    await sleep(300);
    const aliveWhileRequestOpen = server.child.exitCode === null;
    socket.write(body.slice(10));
    await once(socket, 'end');

    expect(aliveWhileRequestOpen).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(response.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ handle: 'worf' });
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 1 when in-flight work outlasts SHUTDOWN_TIMEOUT_MS', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '500' });
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    // A body that never finishes arriving keeps the request in flight.
    socket.write(
      'POST /api/activities HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    await sleep(300);

    server.child.kill('SIGTERM');

    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(logLines(server.stdout())).toContainEqual(
      expect.objectContaining({ msg: 'killed by timeout (500ms)' }),
    );
    socket.destroy();
  });

  it('exits 1 with one line and no stack trace when a setting is bad', async () => {
    const server = run(SERVER, { PORT: 'abc' });

    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe('PORT: "abc" is not a port; use an integer 1..65535\n');
    expect(server.stdout()).toBe('');
  });

  it('exits 1 when FRONTEND_URL=* in production', async () => {
    const server = run(SERVER, { PORT: '4567', NODE_ENV: 'production', FRONTEND_URL: '*' });

    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr().split('\n')).toEqual([
      expect.stringMatching(/^FRONTEND_URL: "\*" .*NODE_ENV=production/),
      '',
    ]);
  });

  it('exits 1, logging why, when the port is taken', async () => {
    const first = await startServer();

    const second = run(SERVER, { PORT: String(first.port), HOST: '127.0.0.1' });

    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(logLines(second.stdout())).toContainEqual(
      expect.objectContaining({ level: 60, msg: `cannot listen on 127.0.0.1:${first.port}` }),
    );
  });
});

describe('node dist/healthcheck.js', () => {
  let stub: Server | undefined;
  afterEach(async () => {
    stub?.closeAllConnections();
    await new Promise((resolve) => (stub ? stub.close(resolve) : resolve(undefined)));
    stub = undefined;
  });

  async function listenStub(handler: Parameters<typeof createServer>[1]): Promise<number> {
    const port = await freePort();
    stub = createServer(handler);
    await new Promise<void>((resolve) => stub?.listen(port, '127.0.0.1', resolve));
    return port;
  }

  it('exits 0 when the server answers the health check', async () => {
    const server = await startServer();

    const check = run(HEALTHCHECK, { PORT: String(server.port) });

    expect(await check.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 1 when nothing listens on PORT', async () => {
    const check = run(HEALTHCHECK, { PORT: String(await freePort()) });

    expect(await check.exited).toEqual({ code: 1, signal: null });
    expect(check.stderr()).toMatch(/^health check failed: .*ECONNREFUSED/);
  });

  it('exits 1 when the health check answers other than 200', async () => {
    const port = await listenStub((_req, res) => res.writeHead(503).end());

    const check = run(HEALTHCHECK, { PORT: String(port) });

    expect(await check.exited).toEqual({ code: 1, signal: null });
    expect(check.stderr()).toBe(`http://127.0.0.1:${port}/api/health-check answered 503\n`);
  });

  it('exits 1 when the server accepts but never answers', async () => {
    const port = await listenStub(() => {});

    const check = run(HEALTHCHECK, { PORT: String(port) });

    expect(await check.exited).toEqual({ code: 1, signal: null });
    expect(check.stderr()).toMatch(/^health check failed: .*(timeout|aborted)/i);
  });
});
