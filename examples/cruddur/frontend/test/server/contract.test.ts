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
