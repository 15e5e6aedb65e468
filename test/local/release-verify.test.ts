import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type TestTarget } from '../../src/local/release/verify.ts';
import { ensureStateDir, statePaths } from '../../src/local/state/state-dir.ts';
import { ensureEdgeCertificate } from '../../src/local/tls/certificates.ts';
import { closeServer, freePort, listen } from '../../src/shared/net.ts';
import { tempDir } from './helpers.ts';

/** A test listener's stand-in: HTTPS with the local CA's certificate for `flip.localhost`. */
describe("the verifier's checks", () => {
  const dir = tempDir('verify');
  let server: https.Server;
  let target: TestTarget;
  const seen: string[] = [];

  beforeAll(async () => {
    const paths = statePaths(dir);
    ensureStateDir(paths);
    const tls = await ensureEdgeCertificate(paths, 'flip');
    server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.host}`);
      if (req.url === '/broken') {
        res.writeHead(500);
        res.end('  Internal\n   error  ');
      } else {
        res.writeHead(200);
        res.end('{"version":"v2"}');
      }
    });
    await listen(server, 0, '127.0.0.1');
    target = {
      port: (server.address() as AddressInfo).port,
      host: 'flip.localhost',
      ca: readFileSync(tls.caCertFile),
    };
  });

  afterAll(async () => {
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on the expected status and text, sent with the method and the service host', async () => {
    const result = await runCheck(target, {
      method: 'POST',
      path: '/items',
      status: 200,
      bodyContains: '"version"',
    });
    expect(result).toMatchObject({ status: 200, failure: undefined });
    expect(seen.at(-1)).toBe(`POST /items flip.localhost:${target.port}`);
  });

  it('fails on another status, quoting the start of the body', async () => {
    const result = await runCheck(target, { method: 'GET', path: '/broken', status: 200 });
    expect(result).toMatchObject({ status: 500, failure: 'answered 500, expected 200: "Internal error"' });
  });

  it('fails on a body without the text', async () => {
    const result = await runCheck(target, { method: 'GET', path: '/', status: 200, bodyContains: 'uuid' });
    expect(result.failure).toBe('answered 200 without "uuid" in its body: "{\\"version\\":\\"v2\\"}"');
  });

  it('fails, without throwing, when nothing answers', async () => {
    const closed = { ...target, port: await freePort() };
    const result = await runCheck(closed, { method: 'GET', path: '/', status: 200 });
    expect(result.status).toBeUndefined();
    expect(result.failure).toMatch(/^no answer \(.*ECONNREFUSED/);
  });
});
