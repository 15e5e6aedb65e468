import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryListener } from '../../src/local/edge/discovery.ts';
import { Edge } from '../../src/local/edge/edge.ts';
import type { TargetGroup } from '../../src/local/edge/target-group.ts';
import { ensureStateDir, statePaths } from '../../src/local/state/state-dir.ts';
import { ensureEdgeCertificate } from '../../src/local/tls/certificates.ts';
import { closeServer, listen } from '../../src/shared/net.ts';
import { healthyGroup, rawExchange } from './helpers.ts';

// What the edge answers itself before any listener rule, as the ALB does: malformed or unsupported
// requests are the client's error (400, 405), never blamed on a healthy target (502), and a request
// in absolute form is routed by its own authority.
describe('the edge refuses what the ALB refuses, before the listener rules', () => {
  /** Every request that reached a target: which service, the path and Host it saw. */
  let reached: { service: string; url: string; host: string | undefined }[] = [];
  // Targets that take 64 KB of headers too, so that a refusal can only be the edge's.
  const targetFor = (service: string) =>
    http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
      if (req.url !== '/health') reached.push({ service, url: req.url!, host: req.headers.host });
      res.end(`${service} ${req.url}`);
    });
  const web = targetFor('web');
  const api = targetFor('api');
  const groups: TargetGroup[] = [];
  const base = mkdtempSync(path.join(os.tmpdir(), 'berth-admission-'));
  let edge: Edge;
  let ports: { httpPort: number; httpsPort: number };
  let ca: Buffer;

  beforeAll(async () => {
    await listen(web, 0, '127.0.0.1');
    await listen(api, 0, '127.0.0.1');
    const webGroup = (await healthyGroup('web', web)).group;
    const apiGroup = (await healthyGroup('api', api)).group;
    groups.push(webGroup, apiGroup);
    const paths = statePaths(base);
    ensureStateDir(paths);
    const tls = await ensureEdgeCertificate(paths, 'shop');
    ca = readFileSync(tls.caCertFile);
    edge = new Edge({
      // Like a config with `route: { host: '@', paths: ['/api/*'] }` for api and web as the default.
      rules: {
        domain: 'shop.localhost',
        rules: [{ service: 'api', host: 'shop.localhost', paths: ['/api/*'] }],
        fallback: 'web',
      },
      groups: new Map([
        ['web', webGroup],
        ['api', apiGroup],
      ]),
      tls,
      httpPort: 0,
      httpsPort: 0,
    });
    ports = await edge.listen();
  });

  afterEach(() => {
    reached = [];
  });

  afterAll(async () => {
    edge.destroy();
    await edge.close();
    for (const group of groups) group.close();
    for (const server of [web, api]) server.closeAllConnections();
    await Promise.all([closeServer(web), closeServer(api)]);
    rmSync(base, { recursive: true, force: true });
  });

  const https = (text: string) => rawExchange(ports.httpsPort, text, { ca, servername: 'shop.localhost' });
  const plain = (text: string) => rawExchange(ports.httpPort, text);
  const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);

  it('answers 400 to two Host headers and sends nothing to the target', async () => {
    const answer = await https(
      'GET / HTTP/1.1\r\nHost: shop.localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request\n$/);
    expect(reached).toEqual([]);
  });

  it('answers 405 to TRACE, which the ALB does not support', async () => {
    const answer = await https('TRACE / HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n');
    expect(statusOf(answer)).toBe(405);
    expect(reached).toEqual([]);
  });

  it('answers 400 to OPTIONS * and to CONNECT instead of dropping or failing them as 502', async () => {
    expect(
      statusOf(await https('OPTIONS * HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n')),
    ).toBe(400);
    expect(
      statusOf(await https('CONNECT shop.localhost:443 HTTP/1.1\r\nHost: shop.localhost:443\r\n\r\n')),
    ).toBe(400);
    expect(
      statusOf(await plain('CONNECT shop.localhost:443 HTTP/1.1\r\nHost: shop.localhost:443\r\n\r\n')),
    ).toBe(400);
    expect(reached).toEqual([]);
  });

  it('routes a request in absolute form by its own authority, not the Host header', async () => {
    const foreign = await https(
      'GET https://evil.example/api/x HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(foreign)).toBe(404);
    expect(reached).toEqual([]);

    const ours = await https(
      'GET https://shop.localhost/api/items?page=2 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(ours)).toBe(200);
    // The path rule matched the path, and the target got the origin form with the authority as Host.
    expect(reached).toEqual([{ service: 'api', url: '/api/items?page=2', host: 'shop.localhost' }]);
  });

  it('keeps the path of an absolute-form request as sent, and refuses one without a host', async () => {
    const get = (target: string) =>
      https(`GET ${target} HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n`);
    // No dot segments resolved, nothing re-encoded: the same path as in origin form.
    expect(statusOf(await get('http://shop.localhost/a/../{x}'))).toBe(200);
    expect(statusOf(await get('http://shop.localhost'))).toBe(200);
    expect(statusOf(await get('http://shop.localhost?q=1#frag'))).toBe(200);
    expect(reached.map((r) => r.url)).toEqual(['/a/../{x}', '/', '/?q=1']);
    // RFC 9110 section 4.2.1: an empty host, or user information, is refused.
    expect(statusOf(await get('http:///shop.localhost/x'))).toBe(400);
    expect(statusOf(await get('http://user@shop.localhost/x'))).toBe(400);
    // An IPv6 authority is a host like any other: not under the local domain.
    expect(statusOf(await get('http://[::1]:8443/x'))).toBe(404);
    expect(reached).toHaveLength(3);
  });

  it('refuses a request line over 16 KB (400) but passes headers up to 64 KB in all', async () => {
    const longUrl = `/${'a'.repeat(17 * 1024)}`;
    expect(
      statusOf(await https(`GET ${longUrl} HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n`)),
    ).toBe(400);
    const cookies = ['a', 'b', 'c'].map((n) => `Cookie: ${n}=${'x'.repeat(10 * 1024)}\r\n`).join('');
    const answer = await https(
      `GET /big-headers HTTP/1.1\r\nHost: shop.localhost\r\n${cookies}Connection: close\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(200);
    expect(reached.map((r) => r.url)).toEqual(['/big-headers']);
    // Over 64 KB in all: the ALB's 400, not Node's 431.
    const tooMany = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(
      (n) => `Cookie: ${n}=${'x'.repeat(10 * 1024)}\r\n`,
    );
    const over = await https(`GET /too-big HTTP/1.1\r\nHost: shop.localhost\r\n${tooMany.join('')}\r\n`);
    expect(statusOf(over)).toBe(400);
    expect(reached).toHaveLength(1);
  });

  it('redirects an absolute-form request on HTTP to its own authority, and refuses one with no host', async () => {
    const redirect = await plain(
      'GET http://shop.localhost/x?q=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(redirect)).toBe(301);
    expect(redirect).toContain(`\r\nlocation: https://shop.localhost:${ports.httpsPort}/x?q=1\r\n`);
    expect(statusOf(await plain('GET /x HTTP/1.0\r\n\r\n'))).toBe(400);
    expect(
      statusOf(await plain(`GET /x HTTP/1.1\r\nHost: :${ports.httpPort}\r\nConnection: close\r\n\r\n`)),
    ).toBe(400);
    expect(
      statusOf(await plain('OPTIONS * HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n')),
    ).toBe(400);
    expect(
      statusOf(await plain('TRACE / HTTP/1.1\r\nHost: shop.localhost\r\nConnection: close\r\n\r\n')),
    ).toBe(405);
  });

  it('makes the same checks on a Service Connect listener', async () => {
    const listener = new DiscoveryListener(groups[0]!);
    const port = await listener.listen(0);
    try {
      const answer = await rawExchange(
        port,
        'GET / HTTP/1.1\r\nHost: web:3000\r\nHost: web:3001\r\nConnection: close\r\n\r\n',
      );
      expect(statusOf(answer)).toBe(400);
      const absolute = await rawExchange(
        port,
        'GET http://web:3000/items HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n',
      );
      expect(statusOf(absolute)).toBe(200);
      expect(reached).toEqual([{ service: 'web', url: '/items', host: 'web:3000' }]);
      expect(statusOf(await rawExchange(port, 'CONNECT web:3000 HTTP/1.1\r\nHost: web:3000\r\n\r\n'))).toBe(
        400,
      );
    } finally {
      listener.destroy();
      await listener.close();
    }
  });
});
