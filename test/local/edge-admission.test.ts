import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryListener } from '../../src/local/edge/discovery.ts';
import type { TargetGroup } from '../../src/local/edge/target-group.ts';
import { closeServer, listen } from '../../src/shared/net.ts';
import { healthyGroup, rawExchange, startEdge, type TestEdge } from './helpers.ts';

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
  let shop: TestEdge;

  beforeAll(async () => {
    await listen(web, 0, '127.0.0.1');
    await listen(api, 0, '127.0.0.1');
    const webGroup = (await healthyGroup('web', web)).group;
    const apiGroup = (await healthyGroup('api', api)).group;
    groups.push(webGroup, apiGroup);
    // Like a config with `route: { host: '@', paths: ['/api/*'] }` for api and web as the default.
    shop = await startEdge(
      'shop',
      { rules: [{ service: 'api', host: 'shop.localhost', paths: ['/api/*'] }], fallback: 'web' },
      { web: webGroup, api: apiGroup },
    );
  });

  afterEach(() => {
    reached = [];
  });

  afterAll(async () => {
    await shop.stop();
    for (const group of groups) group.close();
    for (const server of [web, api]) server.closeAllConnections();
    await Promise.all([closeServer(web), closeServer(api)]);
  });

  const https = (text: string) => shop.https(text);
  const plain = (text: string) => rawExchange(shop.ports.httpPort, text);
  const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
  /** `METHOD target` as an HTTP/1.1 request with these header lines (by default our Host), then close. */
  /** One 10 KB Cookie header per letter. */
  const cookies = (names: string) => [...names].map((n) => `Cookie: ${n}=${'x'.repeat(10 * 1024)}`);
  const request = (line: string, ...headers: string[]) =>
    `${line} HTTP/1.1\r\n${(headers.length ? headers : ['Host: shop.localhost']).map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;

  it('answers 400 to two Host headers and sends nothing to the target', async () => {
    const answer = await https(request('GET /', 'Host: shop.localhost', 'Host: evil.example'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request\n$/);
    expect(reached).toEqual([]);
  });

  it('answers 405 to TRACE, which the ALB does not support', async () => {
    const answer = await https(request('TRACE /'));
    expect(statusOf(answer)).toBe(405);
    expect(reached).toEqual([]);
  });

  it('answers 400 to OPTIONS * and to CONNECT instead of dropping or failing them as 502', async () => {
    expect(statusOf(await https(request('OPTIONS *')))).toBe(400);
    expect(statusOf(await https(request('CONNECT shop.localhost:443', 'Host: shop.localhost:443')))).toBe(
      400,
    );
    expect(statusOf(await plain(request('CONNECT shop.localhost:443', 'Host: shop.localhost:443')))).toBe(
      400,
    );
    expect(reached).toEqual([]);
  });

  it('routes a request in absolute form by its own authority, not the Host header', async () => {
    const foreign = await https(request('GET https://evil.example/api/x'));
    expect(statusOf(foreign)).toBe(404);
    expect(reached).toEqual([]);

    const ours = await https(request('GET https://shop.localhost/api/items?page=2', 'Host: other.example'));
    expect(statusOf(ours)).toBe(200);
    // The path rule matched the path, and the target got the origin form with the authority as Host.
    expect(reached).toEqual([{ service: 'api', url: '/api/items?page=2', host: 'shop.localhost' }]);
  });

  it('keeps the path of an absolute-form request as sent, and refuses one without a host', async () => {
    const get = (target: string) => https(request(`GET ${target}`));
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
    expect(statusOf(await https(request(`GET ${longUrl}`)))).toBe(400);
    // Six of 10 KB: about 61.5 KB in all, over Node's default 16 KB and just under 64 KB.
    const answer = await https(request('GET /big-headers', 'Host: shop.localhost', ...cookies('abcdef')));
    expect(statusOf(answer)).toBe(200);
    expect(reached.map((r) => r.url)).toEqual(['/big-headers']);
    // Over 64 KB in all: the ALB's 400, not Node's 431.
    const over = await https(request('GET /too-big', 'Host: shop.localhost', ...cookies('abcdefg')));
    expect(statusOf(over)).toBe(400);
    expect(reached).toHaveLength(1);
  });

  it('redirects an absolute-form request on HTTP to its own authority, and refuses one with no host', async () => {
    const redirect = await plain(request('GET http://shop.localhost/x?q=1', 'Host: evil.example'));
    expect(statusOf(redirect)).toBe(301);
    expect(redirect).toContain(`\r\nlocation: https://shop.localhost:${shop.ports.httpsPort}/x?q=1\r\n`);
    expect(statusOf(await plain('GET /x HTTP/1.0\r\n\r\n'))).toBe(400);
    expect(statusOf(await plain(request('GET /x', `Host: :${shop.ports.httpPort}`)))).toBe(400);
    expect(statusOf(await plain(request('OPTIONS *')))).toBe(400);
    expect(statusOf(await plain(request('TRACE /')))).toBe(405);
  });

  it('refuses a Host that is not an authority (400) instead of copying it into the 301 Location', async () => {
    for (const host of [
      'shop.localhost@evil.example',
      'evil.example/x?',
      'a b',
      '.shop.localhost',
      'shop.localhost:abc',
    ]) {
      const answer = await plain(request('GET /x', `Host: ${host}`));
      expect(answer, host).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer, host).not.toMatch(/\r\nlocation:/i);
    }
    // A name with a port, an IP address or an IPv6 literal is an authority: redirected.
    for (const [host, to] of [
      ['shop.localhost:8080', 'shop.localhost'],
      ['127.0.0.1', '127.0.0.1'],
      ['[::1]:8080', '[::1]'],
    ]) {
      const answer = await plain(request('GET /x', `Host: ${host}`));
      expect(answer).toContain(`\r\nlocation: https://${to}:${shop.ports.httpsPort}/x\r\n`);
    }
  });

  it('refuses on HTTPS a Host with an empty label or a port that is not a number, instead of routing it', async () => {
    for (const host of [
      '.shop.localhost',
      'shop.localhost:abc',
      'shop..localhost',
      'shop.localhost@evil.example',
    ]) {
      expect(statusOf(await https(request('GET /api/x', `Host: ${host}`))), host).toBe(400);
    }
    expect(statusOf(await https(request('GET /api/x', 'Host: shop.localhost:443')))).toBe(200);
    expect(reached.map((r) => r.host)).toEqual(['shop.localhost:443']);
  });

  it('answers an Upgrade without a Host with the same 400 as the request without the Upgrade', async () => {
    const upgrade =
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    const withoutHost = `GET /ws HTTP/1.1\r\n${upgrade}\r\n`;
    expect(statusOf(await https('GET /ws HTTP/1.1\r\nConnection: close\r\n\r\n'))).toBe(400);
    expect(statusOf(await https(withoutHost))).toBe(400);
    expect(statusOf(await plain(withoutHost))).toBe(400);
    expect(statusOf(await https(`GET /ws HTTP/1.1\r\nHost: .shop.localhost\r\n${upgrade}\r\n`))).toBe(400);
    expect(reached).toEqual([]);
  });

  it('makes the same checks on a Service Connect listener', async () => {
    const listener = new DiscoveryListener(groups[0]!);
    const port = await listener.listen(0);
    try {
      const answer = await rawExchange(port, request('GET /', 'Host: web:3000', 'Host: web:3001'));
      expect(statusOf(answer)).toBe(400);
      const absolute = await rawExchange(port, request('GET http://web:3000/items', 'Host: web'));
      expect(statusOf(absolute)).toBe(200);
      expect(reached).toEqual([{ service: 'web', url: '/items', host: 'web:3000' }]);
      expect(statusOf(await rawExchange(port, request('CONNECT web:3000', 'Host: web:3000')))).toBe(400);
      expect(statusOf(await rawExchange(port, request('TRACE /', 'Host: web')))).toBe(405);
      expect(statusOf(await rawExchange(port, request('GET /', 'Host: web:abc')))).toBe(400);
      expect(
        statusOf(
          await rawExchange(port, 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'),
        ),
      ).toBe(400);
      // The same header limit as the edge's.
      const big = await rawExchange(port, request('GET /big', 'Host: web', ...cookies('abcdef')));
      expect(statusOf(big)).toBe(200);
      const over = await rawExchange(port, request('GET /over', 'Host: web', ...cookies('abcdefg')));
      expect(statusOf(over)).toBe(400);
      expect(reached.map((r) => r.url)).toEqual(['/items', '/big']);
    } finally {
      listener.destroy();
      await listener.close();
    }
  });
});
