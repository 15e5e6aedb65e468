// @vitest-environment node
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';

import { buildServer } from '../../src/server/app.ts';
import { STATIC_DIR } from './build-output.ts';
import { httpContract, request } from './http-contract.ts';
import { startNginx, type NginxRun } from './nginx.ts';

// One HTTP contract, two servers: the Fastify server (berth up's process engine) and nginx with
// the generated configuration (the production image). Real sockets, so both are tested alike.

describe('the Fastify server', () => {
  const apps: FastifyInstance[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  httpContract(async ({ backendUrl }) => {
    const app = await buildServer({ staticDir: STATIC_DIR, ...(backendUrl ? { backendUrl } : {}) });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return { port: address.port };
  });

  it('answers a path that climbs above the root with a plain 400 body, as nginx refuses it', async () => {
    const app = await buildServer({ staticDir: STATIC_DIR });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../package.json']) {
      const response = await request(port, path);
      expect(response.status, path).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: `The path of GET ${path} climbs above the site's root with '..'`,
      });
    }
  });
});

describe('nginx with the generated configuration', () => {
  const runs: NginxRun[] = [];
  afterAll(() => Promise.all(runs.map((run) => run.stop())));

  httpContract(async (env) => {
    const run = await startNginx(env);
    runs.push(run);
    return run;
  });
});

describe('nginx and the Fastify server side by side', () => {
  const TRANSPORT = new Set([
    'date',
    'etag',
    'last-modified',
    'server',
    'connection',
    'keep-alive',
    'accept-ranges',
  ]);
  let nginx: NginxRun | undefined;
  let app: FastifyInstance | undefined;
  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
  });

  it.each([
    ['/', {}],
    ['/activities/abc', { accept: 'text/html' }],
    ['/assets/missing.js', {}],
    ['/config.json', {}],
    ['/favicon.svg', {}],
  ])('answer %s with the same status, headers and body', async (path, headers) => {
    nginx ??= await startNginx({ backendUrl: 'https://api.example.com' });
    if (app === undefined) {
      app = await buildServer({ staticDir: STATIC_DIR, backendUrl: 'https://api.example.com' });
      await app.listen({ port: 0, host: '127.0.0.1' });
    }
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const host = { host: 'cruddur.example.com', ...headers };
    const [fromNginx, fromFastify] = await Promise.all([
      request(nginx.port, path, { headers: host }),
      request(address.port, path, { headers: host }),
    ]);
    const comparable = (h: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(h).filter(([name]) => !TRANSPORT.has(name)));

    expect(comparable(fromNginx.headers)).toEqual(comparable(fromFastify.headers));
    expect(fromNginx.status).toBe(fromFastify.status);
    expect(fromNginx.body).toBe(fromFastify.body);
  });
});

describe('where the answers of nginx and the Fastify server differ (the list in docs/images.md)', () => {
  let nginx: NginxRun | undefined;
  let app: FastifyInstance | undefined;
  let fastifyPort: number;
  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
  });
  const both = async (path: string, options: Parameters<typeof request>[2] = {}) => {
    nginx ??= await startNginx();
    if (app === undefined) {
      app = await buildServer({ staticDir: STATIC_DIR });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      fastifyPort = address.port;
    }
    const [fromNginx, fromFastify] = await Promise.all([
      request(nginx.port, path, options),
      request(fastifyPort, path, options),
    ]);
    return { nginx: fromNginx, fastify: fromFastify };
  };

  it('Server: nginx, without a version; Fastify sends no Server header', async () => {
    const { nginx, fastify } = await both('/');
    expect(nginx.headers.server).toBe('nginx');
    expect(fastify.headers.server).toBeUndefined();
  });

  it('ETags: weak W/"size-mtime" from Fastify, strong "mtime-size" from nginx; each revalidates only its own', async () => {
    const { nginx, fastify } = await both('/favicon.svg');
    expect(fastify.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(nginx.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const revalidated = await both('/favicon.svg', { headers: { 'if-none-match': fastify.headers.etag! } });
    expect([revalidated.fastify.status, revalidated.nginx.status]).toEqual([304, 200]);
  });

  it('a POST with invalid JSON: 400 from Fastify, which parses the body first; the usual JSON 404 from nginx', async () => {
    const { nginx, fastify } = await both('/activities', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(fastify.status).toBe(400);
    expect(JSON.parse(fastify.body)).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('not valid JSON'),
    });
    expect(nginx.status).toBe(404);
    expect(JSON.parse(nginx.body)).toMatchObject({ message: 'Nothing at POST /activities' });
  });

  it('a POST with a 64 KB body, which nginx buffers to its temp folder: still the usual JSON 404', async () => {
    const { nginx } = await both('/activities', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(64 * 1024) }),
    });
    expect(nginx.status).toBe(404);
    expect(JSON.parse(nginx.body)).toMatchObject({ message: 'Nothing at POST /activities' });
  });

  it.each([
    ['TRACE /', 'TRACE', '/', 405, 404],
    ['a path above the root', 'GET', '/../etc/passwd', 400, 400],
    [`a request line over 8 KB`, 'GET', `/${'a'.repeat(9_000)}`, 414, 403],
  ])(
    '%s: nginx answers with its own HTML page, without the security headers; Fastify with JSON',
    async (_case, method, path, nginxStatus, fastifyStatus) => {
      const { nginx, fastify } = await both(path, { method });
      expect(nginx).toMatchObject({
        status: nginxStatus,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
      expect(nginx.body).toContain('<center>nginx</center>');
      expect(nginx.headers['content-security-policy']).toBeUndefined();
      expect(fastify.status).toBe(fastifyStatus);
      expect(fastify.headers['content-type']).toBe('application/json; charset=utf-8');
    },
  );

  it('double slashes: nginx merges them and serves the file; Fastify refuses with 403', async () => {
    const { nginx, fastify } = await both('//favicon.svg');
    expect([nginx.status, fastify.status]).toEqual([200, 403]);
  });
});

describe('nginx, where the Fastify server differs as a process', () => {
  it('answers 500 and logs why when BACKEND_URL is not an http(s) URL (the Fastify server refuses to start)', async () => {
    const run = await startNginx({ backendUrl: 'ftp://files.example.com' });
    try {
      const response = await request(run.port, '/');
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Something went wrong.',
      });
      run.child.kill('SIGTERM');
      const { stderr } = await run.exited;
      expect(stderr).toContain('BACKEND_URL="ftp://files.example.com" must be an http:// or https:// URL');
    } finally {
      await run.stop();
    }
  });

  it('logs each request as one JSON line on stdout and exits 0 on SIGTERM', async () => {
    const run = await startNginx();
    try {
      await request(run.port, '/favicon.svg');
      run.child.kill('SIGTERM');
      const { code, signal, stderr } = await run.exited;

      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      const lines = run
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toMatchObject({ method: 'GET', url: '/favicon.svg', status: 200 });
    } finally {
      await run.stop();
    }
  });
});
