// @vitest-environment node
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from './free-port.ts';
import { startNginx, type NginxRun } from './nginx.ts';

// The image's HEALTHCHECK, compiled here as the Containerfile's build stage compiles it.
const SOURCE = fileURLToPath(new URL('../../src/healthcheck/healthcheck.c', import.meta.url));

function healthcheck(
  binary: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(binary, [], { env }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, ms: Date.now() - started }),
    );
  });
}

/** A server answering GET / with `status`, or with nothing at all. */
async function answering(status: number | 'never'): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => {
    if (status !== 'never') res.writeHead(status, { location: '/elsewhere' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('src/healthcheck/healthcheck.c (the frontend HEALTHCHECK)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cruddur-healthcheck-'));
  const binary = path.join(dir, 'healthcheck');
  let nginx: NginxRun | undefined;

  beforeAll(async () => {
    try {
      execFileSync('gcc', ['-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror', '-o', binary, SOURCE], {
        stdio: 'pipe',
      });
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`gcc -static failed; apt-get install -y gcc libc6-dev (.ci/run does it): ${detail}`);
    }
    nginx = await startNginx();
  });
  afterAll(async () => {
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one static executable that needs no library from the image', () => {
    const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
    expect(`${ldd.stdout}${ldd.stderr}`).toMatch(/not a dynamic executable/);
  });

  it('exits 0 when nginx with the image configuration answers GET /', async () => {
    expect(await healthcheck(binary, { PORT: String(nginx!.port) })).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([301, 204])('exits 0 on %i', async (status) => {
    const server = await answering(status);
    expect(await healthcheck(binary, { PORT: String(server.port) })).toMatchObject({ code: 0 });
    server.close();
  });

  it.each([404, 500, 503])('exits 1 on %i, naming it', async (status) => {
    const server = await answering(status);
    expect(await healthcheck(binary, { PORT: String(server.port) })).toEqual(
      expect.objectContaining({ code: 1, stderr: `health check failed: GET / answered ${status}\n` }),
    );
    server.close();
  });

  it('exits 1 and says why when nothing listens', async () => {
    const port = await freePort();
    const result = await healthcheck(binary, { PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`health check failed: connect 127.0.0.1:${port}: Connection refused\n`);
  });

  it('gives up after 2 s when the server never answers', async () => {
    const server = await answering('never');
    const result = await healthcheck(binary, { PORT: String(server.port) });
    server.close();
    expect(result).toMatchObject({ code: 1, stderr: 'health check failed: no answer within 2 s\n' });
    expect(result.ms).toBeGreaterThanOrEqual(1_900);
  });

  it('refuses a PORT that is not a port number', async () => {
    expect(await healthcheck(binary, { PORT: 'http' })).toEqual(
      expect.objectContaining({ code: 1, stderr: 'PORT="http" must be a port number 1..65535\n' }),
    );
  });
});
