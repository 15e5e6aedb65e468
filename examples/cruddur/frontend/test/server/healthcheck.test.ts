// @vitest-environment node
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FRONTEND_DIR, SERVER_ENTRY, requireBuild } from './build-output.ts';
import { freePort } from './free-port.ts';

const HEALTHCHECK = fileURLToPath(new URL('../../dist-server/healthcheck.js', import.meta.url));

function healthcheck(port: number): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [HEALTHCHECK], { env: { PORT: String(port) } }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, ms: Date.now() - started }),
    );
  });
}

describe('dist-server/healthcheck.js (the container HEALTHCHECK)', () => {
  let port: number;
  let server: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    requireBuild();
    port = await freePort();
    server = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: FRONTEND_DIR,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while ((await healthcheck(port)).code !== 0) {
      if (Date.now() > deadline) throw new Error('the frontend server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    server?.kill('SIGKILL');
  });

  it('exits 0 when GET / on 127.0.0.1:$PORT answers 200', async () => {
    expect(await healthcheck(port)).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 and says why when nothing answers', async () => {
    const result = await healthcheck(await freePort());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^health check failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
    expect(result.ms).toBeLessThan(5_000);
  });
});
