import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DiscoveryListener } from '../../src/local/edge/discovery.ts';
import { fixedRaw, Forwarder } from '../../src/local/edge/forward.ts';
import { TargetGroup, type Target } from '../../src/local/edge/target-group.ts';
import { closeServer, listen } from '../../src/shared/net.ts';
import { healthyGroup, startEdge, until, type TestEdge } from './helpers.ts';

// WebSockets through the edge, as through the ALB: the Upgrade goes to a healthy target by the
// listener rules, and the connection stays joined both ways until either side closes it.
describe('WebSockets through the edge', () => {
  const target = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/health' ? 'ok' : 'no such page');
  });
  // Echoes every message; answers the Upgrade on /ws only (anything else gets the server's 404).
  const sockets = new WebSocketServer({ noServer: true });
  let upgradeHeaders: http.IncomingHttpHeaders | undefined;
  /** Every Upgrade request that reached the target, by path. */
  const upgradesSeen: string[] = [];
  target.on('upgrade', (req, socket, head) => {
    upgradesSeen.push(req.url!);
    if (req.url !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\nconnection: close\r\n\r\nno socket');
      return;
    }
    upgradeHeaders = req.headers;
    sockets.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
  });

  let group: TargetGroup;
  let registered: Target;
  let chat: TestEdge;

  beforeAll(async () => {
    await listen(target, 0, '127.0.0.1');
    ({ group, target: registered } = await healthyGroup('web', target));
    chat = await startEdge(
      'chat',
      { rules: [{ service: 'empty', host: 'empty.chat.localhost', paths: [] }], fallback: 'web' },
      { web: group, empty: new TargetGroup('empty', group.healthCheck) },
    );
  });

  afterAll(async () => {
    await chat.stop();
    group.close();
    sockets.close();
    target.closeAllConnections();
    await closeServer(target);
  });

  /** A client through the edge's HTTPS listener, with the Host header of `host`. */
  function connect(urlPath: string, host = 'chat.localhost'): WebSocket {
    return new WebSocket(`wss://127.0.0.1:${chat.ports.httpsPort}${urlPath}`, {
      headers: { host },
      ca: chat.ca,
    });
  }

  function nextMessage(ws: WebSocket): Promise<string> {
    return new Promise((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) return reject(new Error('closed before a message came'));
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
      ws.once('close', () => reject(new Error('closed before a message came')));
    });
  }

  /** What the edge answered instead of 101. */
  function refusal(ws: WebSocket): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      ws.once('open', () => reject(new Error('the connection was upgraded')));
      ws.once('error', () => {});
    });
  }

  it('joins the client and the target both ways, with the X-Forwarded headers the ALB sets', async () => {
    const ws = connect('/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('hello');
    expect(await nextMessage(ws)).toBe('echo hello');
    ws.send('again');
    expect(await nextMessage(ws)).toBe('echo again');
    expect(upgradeHeaders).toMatchObject({
      host: 'chat.localhost',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': String(chat.ports.httpsPort),
      'x-forwarded-for': '127.0.0.1',
    });
    // Open, it is in flight: draining the target would wait for it.
    expect(registered.inFlight).toBe(1);
    ws.close();
    await until(() => registered.inFlight === 0, 5_000, 'the closed socket to leave the target');
  });

  it("passes on the target's answer when it does not upgrade", async () => {
    expect(await refusal(connect('/not-a-socket'))).toEqual({ status: 404, body: 'no socket' });
    expect(upgradesSeen.at(-1)).toBe('/not-a-socket');
    await until(() => registered.inFlight === 0, 5_000, 'nothing in flight');
  });

  it('answers the fixed 404 for a host outside the app, without reaching a target', async () => {
    const seen = upgradesSeen.length;
    expect(await refusal(connect('/ws', 'elsewhere.example'))).toEqual({
      status: 404,
      body: '404 Not Found\n',
    });
    expect(upgradesSeen).toHaveLength(seen);
  });

  it('redirects a WebSocket on the HTTP listener to HTTPS, as the ALB does', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${chat.ports.httpPort}/ws`, {
      headers: { host: 'chat.localhost' },
    });
    const answer = new Promise<http.IncomingMessage>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res)),
    );
    ws.once('error', () => {});
    const res = await answer;
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://chat.localhost:${chat.ports.httpsPort}/ws`);
  });

  it('answers 503 when no target of the group is healthy', async () => {
    expect(await refusal(connect('/ws', 'empty.chat.localhost'))).toEqual({
      status: 503,
      body: '503 Service Temporarily Unavailable\n',
    });
  });

  it('forwards an Upgrade to another protocol (h2c) as the plain request it also is', async () => {
    const answer = await chat.https(
      'GET /health HTTP/1.1\r\nHost: chat.localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
  });

  it('refuses an Upgrade with a request body (400) instead of sending it on without the body', async () => {
    const answer = await chat.https(
      'POST /upload HTTP/1.1\r\nHost: chat.localhost\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 5\r\n\r\nhello',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('survives a client that resets its Upgrade request on the HTTP listener', async () => {
    for (let i = 0; i < 20; i += 1) {
      const socket = net.connect(chat.ports.httpPort, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: chat.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
      socket.resetAndDestroy();
    }
    // Still serving. (An uncaught socket error here is reported by vitest as an unhandled error,
    // which fails the run but not this test: the next test checks the listener itself.)
    const ws = connect('/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.close();
    await until(() => registered.inFlight === 0, 5_000, 'nothing in flight');
  });

  it('keeps an error listener on a bare connection it answers, so a reset cannot crash the edge', () => {
    // Node takes its own listener off a socket it hands to 'upgrade'; without berth's, this throws.
    const socket = new PassThrough();
    fixedRaw(socket, 301, { location: 'https://chat.localhost/' });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(() => socket.emit('error', reset)).not.toThrow();
    expect(socket.destroyed).toBe(true);
  });

  it('closes a WebSocket idle for the idle timeout, as the ALB does', async () => {
    const front = http.createServer();
    const forwarder = new Forwarder({ timeoutMs: 300 });
    front.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      forwarder.upgrade(req, socket, head, group),
    );
    await listen(front, 0, '127.0.0.1');
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${(front.address() as AddressInfo).port}/ws`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      // Traffic every 150 ms keeps it open past the 300 ms: the timeout counts from the last byte.
      for (let i = 0; i < 4; i += 1) {
        await new Promise((r) => setTimeout(r, 150));
        ws.send('keep');
        expect(await nextMessage(ws)).toBe('echo keep');
      }
      expect(ws.readyState).toBe(WebSocket.OPEN);
      const lastActivity = Date.now();
      await new Promise((resolve) => ws.once('close', resolve));
      expect(Date.now() - lastActivity).toBeGreaterThanOrEqual(250);
      await until(() => registered.inFlight === 0, 5_000, 'nothing in flight');
    } finally {
      front.closeAllConnections();
      await closeServer(front);
    }
  });

  it('passes WebSockets between services too, as Service Connect does', async () => {
    const listener = new DiscoveryListener(group);
    const port = await listener.listen(0);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send('between services');
      expect(await nextMessage(ws)).toBe('echo between services');
      expect(upgradeHeaders!['x-forwarded-proto']).toBe('http');
      // A stop ends an open WebSocket too (the HTTP server no longer tracks an upgraded socket).
      const wsClosed = new Promise((resolve) => ws.once('close', resolve));
      const closing = listener.close();
      listener.destroy();
      await closing;
      await wsClosed;
      await until(() => registered.inFlight === 0, 5_000, 'nothing in flight');
    } finally {
      listener.destroy();
      await listener.close();
    }
  });

  it('ends the client connection when the target goes away', async () => {
    const ws = connect('/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    for (const client of sockets.clients) client.terminate();
    await closed;
    await until(() => registered.inFlight === 0, 5_000, 'nothing in flight');
  });
});
