// @vitest-environment node
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IMAGE_PORT } from '../../src/server/nginx/config.ts';
import { FRONTEND_DIR } from './build-output.ts';
import { freePort } from './free-port.ts';
import { startNginx, type NginxRun } from './nginx.ts';

// The image's HEALTHCHECK, compiled here as the Containerfile's build stage compiles it; for a test
// server on a free port, with -DLISTEN_PORT (the image's build uses the default, 3000).
const SOURCE = fileURLToPath(new URL('../../src/healthcheck/healthcheck.c', import.meta.url));
const GCC_FLAGS = ['-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror'];

interface CheckResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the health check; `started` gets the process, to signal it. */
function healthcheck(
  binary: string,
  env: Record<string, string> = {},
  started?: (pid: number) => void,
): Promise<CheckResult> {
  const begin = Date.now();
  const child = spawn(binary, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid !== undefined) started?.(child.pid);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - begin }));
  });
}

/** A server answering GET / with `status`, or with nothing at all. */
async function answering(status: number | 'never'): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => {
    if (status !== 'never') res.writeHead(status, { location: '/elsewhere' }).end();
  });
  return listening(server);
}

async function listening(server: http.Server | net.Server): Promise<{ port: number; close(): void }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () => {
      if (server instanceof http.Server) server.closeAllConnections();
      server.close();
    },
  };
}

describe('src/healthcheck/healthcheck.c (the frontend HEALTHCHECK)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cruddur-healthcheck-'));
  const builds = new Map<string, string>();
  let nginx: NginxRun | undefined;

  /** The health check built as the image builds it, or for `port`. */
  function compiled(port?: number): string {
    const key = port === undefined ? 'default' : String(port);
    const cached = builds.get(key);
    if (cached !== undefined) return cached;
    const binary = path.join(dir, `healthcheck-${key}`);
    const define = port === undefined ? [] : [`-DLISTEN_PORT=${port}`];
    try {
      execFileSync('gcc', [...GCC_FLAGS, ...define, '-o', binary, SOURCE], { stdio: 'pipe' });
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`gcc -static failed; apt-get install -y gcc libc6-dev (.ci/run does it): ${detail}`);
    }
    builds.set(key, binary);
    return binary;
  }

  beforeAll(async () => {
    compiled();
    nginx = await startNginx();
  });
  afterAll(async () => {
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one static executable that needs no library from the image', () => {
    const ldd = spawnSync('ldd', [compiled()], { encoding: 'utf8' });
    expect(`${ldd.stdout}${ldd.stderr}`).toMatch(/not a dynamic executable/);
  });

  it('probes the port the image listens on: nginx.conf, EXPOSE and the health check agree on 3000', async () => {
    const conf = readFileSync(path.join(FRONTEND_DIR, 'dist-nginx', 'nginx.conf'), 'utf8');
    const containerfile = readFileSync(path.join(FRONTEND_DIR, 'Containerfile'), 'utf8');
    expect(IMAGE_PORT).toBe(3000);
    expect(/^\s*listen (\d+);$/m.exec(conf)?.[1]).toBe(String(IMAGE_PORT));
    expect(/^EXPOSE (\d+)$/m.exec(containerfile)?.[1]).toBe(String(IMAGE_PORT));
    expect((await healthcheck(compiled(), { PORT: '3001' })).stderr).toContain(`listens on ${IMAGE_PORT} `);
  });

  it('exits 0 when nginx with the image configuration answers GET /, with PORT set as berth sets it', async () => {
    const port = nginx!.port;
    expect(await healthcheck(compiled(port), { PORT: String(port) })).toMatchObject({
      code: 0,
      signal: null,
      stderr: '',
    });
  });

  it('exits 0 on 200 without PORT', async () => {
    const server = await answering(200);
    expect(await healthcheck(compiled(server.port))).toMatchObject({ code: 0, stderr: '' });
    server.close();
  });

  it.each([204, 301, 302, 304, 404, 500, 503])(
    'exits 1 on %i, naming it (the load balancer accepts only 200)',
    async (status) => {
      const server = await answering(status);
      expect(await healthcheck(compiled(server.port))).toMatchObject({
        code: 1,
        stderr: `health check failed: GET / answered ${status}, not 200\n`,
      });
      server.close();
    },
  );

  it('exits 1 and says why when nothing listens', async () => {
    const port = await freePort();
    expect(await healthcheck(compiled(port))).toMatchObject({
      code: 1,
      stderr: `health check failed: connect 127.0.0.1:${port}: Connection refused\n`,
    });
  });

  it('gives up after 2 s when the server never answers', async () => {
    const server = await answering('never');
    const result = await healthcheck(compiled(server.port));
    server.close();
    expect(result).toMatchObject({ code: 1, stderr: 'health check failed: no answer within 2 s\n' });
    expect(result.ms).toBeGreaterThanOrEqual(1_900);
  });

  it('says so when the server closes the connection without answering', async () => {
    const server = await listening(net.createServer((socket) => socket.once('data', () => socket.end())));
    expect(await healthcheck(compiled(server.port))).toMatchObject({
      code: 1,
      signal: null,
      stderr: 'health check failed: the server closed the connection without answering GET /\n',
    });
    server.close();
  });

  it('gives its one-line reason when the server resets the connection', async () => {
    const server = await listening(net.createServer((socket) => socket.resetAndDestroy()));
    const result = await healthcheck(compiled(server.port));
    server.close();
    expect(result).toMatchObject({ code: 1, signal: null });
    expect(result.stderr).toMatch(/^health check failed: [^\n]+: (Connection reset by peer|Broken pipe)\n$/);
  });

  it('is not killed by SIGPIPE (a write to a closed connection): it still reports and exits 1', async () => {
    let pid: number | undefined;
    const server = await listening(
      net.createServer(() => {
        if (pid !== undefined) process.kill(pid, 'SIGPIPE');
      }),
    );
    const result = await healthcheck(compiled(server.port), {}, (started) => (pid = started));
    server.close();
    expect(result).toMatchObject({
      code: 1,
      signal: null,
      stderr: 'health check failed: no answer within 2 s\n',
    });
  });

  it('names a PORT that differs from the port nginx listens on, and the fix', async () => {
    for (const port of ['8080', 'http'])
      expect(await healthcheck(compiled(), { PORT: port })).toEqual(
        expect.objectContaining({
          code: 1,
          stderr: `health check failed: PORT="${port}", but nginx in this image listens on 3000 (fixed in its nginx.conf); set the service's port in the berth config to 3000\n`,
        }),
      );
  });
});
