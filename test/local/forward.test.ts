import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryListener } from '../../src/local/edge/discovery.ts';
import { Forwarder } from '../../src/local/edge/forward.ts';
import { TargetGroup, type Target } from '../../src/local/edge/target-group.ts';
import { closeServer, listen } from '../../src/shared/net.ts';
import { healthyGroup, startEdge, until } from './helpers.ts';

/** What the target saw of the last request. */
interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  bodySha: string;
  aborted: boolean;
}

const BIG = randomBytes(4 * 1024 * 1024);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// The forwarder between a plain HTTP listener and a real target, with a target group that has
// checked the target healthy once: what goes through, what is dropped, and what the edge answers itself.
describe('the edge forwarder', () => {
  let seen: Seen | undefined;
  let finishStream: (() => void) | undefined;
  const target = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const record: Seen = {
      method: req.method!,
      url: req.url!,
      rawHeaders: req.rawHeaders,
      bodySha: '',
      aborted: false,
    };
    seen = record;
    req.on('data', (c: Buffer) => chunks.push(c));
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    req.on('end', () => {
      record.bodySha = sha(Buffer.concat(chunks));
      if (req.url === '/health') return void res.end('ok');
      if (req.url === '/slow') return; // never answers
      if (req.url === '/hints') {
        res.writeEarlyHints({ link: '</app.css>; rel=preload; as=style' });
        return void res.end('after hints');
      }
      if (req.url?.startsWith('/stream')) {
        // Half an answer now, the rest when the test has seen the first half arrive.
        const sized = req.url.endsWith('sized');
        res.writeHead(200, sized ? { 'content-length': 12 } : {});
        res.write('first\n');
        finishStream = () => res.end('later\n');
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return void res.end(BIG);
      }
      res.writeHead(201, {
        'content-type': 'application/json',
        'set-cookie': ['a=1; Secure', 'b=2; Secure'],
        connection: 'keep-alive, x-target-private',
        'x-target-private': 'hop',
        'keep-alive': 'timeout=99',
      });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  let group: TargetGroup;
  let registered: Target;
  let front: http.Server;
  let frontUrl: string;

  async function startFront(forwarder: Forwarder): Promise<void> {
    front = http.createServer((req, res) => forwarder.forward(req, res, group));
    await listen(front, 0, '127.0.0.1');
    frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    await listen(target, 0, '127.0.0.1');
    ({ group, target: registered } = await healthyGroup('test', target));
    await startFront(new Forwarder());
  });

  afterEach(() => {
    seen = undefined;
  });

  afterAll(async () => {
    group.close();
    front.closeAllConnections();
    target.closeAllConnections();
    await Promise.all([closeServer(front), closeServer(target)]);
  });

  it('passes method, path, query, Host and a streamed body through, and the answer back', async () => {
    // node:http, not fetch: fetch sets Host itself.
    const res = await raw('/api/activities?before=x', {
      method: 'POST',
      headers: { host: 'api.cruddur.localhost', 'content-type': 'application/octet-stream' },
      body: BIG,
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    expect(seen).toMatchObject({ method: 'POST', url: '/api/activities?before=x', bodySha: sha(BIG) });
    expect(header(seen!, 'host')).toEqual(['api.cruddur.localhost']);
  });

  it('appends the client to X-Forwarded-For and sets X-Forwarded-Proto and -Port itself, as the ALB does', async () => {
    await fetch(`${frontUrl}/`, {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-port': '1' },
    });
    expect(header(seen!, 'x-forwarded-for')).toEqual(['203.0.113.7, 127.0.0.1']);
    // This listener is plain HTTP: a client cannot claim otherwise.
    expect(header(seen!, 'x-forwarded-proto')).toEqual(['http']);
    expect(header(seen!, 'x-forwarded-port')).toEqual([new URL(frontUrl).port]);
  });

  it('drops hop-by-hop headers both ways, including the ones a Connection header names', async () => {
    const res = await raw('/', {
      headers: {
        connection: 'keep-alive, x-client-private',
        'x-client-private': 'hop',
        te: 'trailers',
      },
    });
    expect(header(seen!, 'x-client-private')).toEqual([]);
    expect(header(seen!, 'te')).toEqual([]);
    expect(res.headers['x-target-private']).toBeUndefined();
    // The front listener's own Keep-Alive header may be there; the target's is not.
    expect(res.headers['keep-alive']).not.toBe('timeout=99');
    expect(res.headers['set-cookie']).toEqual(['a=1; Secure', 'b=2; Secure']);
  });

  it('sends a GET without a body as a GET without a body', async () => {
    await fetch(`${frontUrl}/`);
    expect(header(seen!, 'transfer-encoding')).toEqual([]);
    expect(header(seen!, 'content-length')).toEqual([]);
  });

  it('streams a large answer intact to a slow reader', async () => {
    const res = await raw('/big', { readDelayMs: 2 });
    expect(res.status).toBe(200);
    expect(sha(res.body)).toBe(sha(BIG));
  });

  it.each(['/stream', '/stream?sized'])(
    'passes on the part of an answer that has arrived without waiting for the rest (%s)',
    async (url) => {
      const firstChunk = await new Promise<string>((resolve, reject) => {
        http
          .get(`${frontUrl}${url}`, (res) => res.once('data', (c: Buffer) => resolve(c.toString())))
          .on('error', reject);
      });
      expect(firstChunk).toBe('first\n');
      finishStream?.();
    },
  );

  it('answers with the final response when the target sends 103 Early Hints first', async () => {
    const res = await raw('/hints');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('after hints');
  });

  it("answers 504 when the target does not answer in time, and stops the target's request", async () => {
    await withFront(new Forwarder({ timeoutMs: 300 }), group, async (url) => {
      const res = await fetch(`${url}/slow`);
      expect(res.status).toBe(504);
      expect(await res.text()).toBe('504 Gateway Timeout\n');
    });
    await until(() => seen?.aborted === true, 2_000, 'the target to see its request stopped');
  });

  it('stops the request to the target when the client goes away', async () => {
    const req = http.get(`${frontUrl}/slow`);
    req.on('error', () => {});
    await until(() => seen?.url === '/slow', 2_000, 'the request to reach the target');
    expect(registered.inFlight).toBe(1);
    req.destroy();
    await until(() => seen?.aborted === true, 2_000, 'the target to see its request stopped');
    await until(() => registered.inFlight === 0, 2_000, 'no request in flight');
  });

  it('answers 502 when the target refuses the connection', async () => {
    const other = new TargetGroup('gone', group.healthCheck);
    const closed = http.createServer((_req, res) => res.end('ok'));
    await listen(closed, 0, '127.0.0.1');
    other.register({ id: 'g1', host: '127.0.0.1', port: (closed.address() as AddressInfo).port });
    await other.waitHealthy('g1', 5_000);
    await closeServer(closed); // healthy a moment ago, gone now: the next check has not run yet
    try {
      await withFront(new Forwarder(), other, async (url) => {
        const res = await fetch(`${url}/`);
        expect(res.status).toBe(502);
        expect(await res.text()).toBe('502 Bad Gateway\n');
      });
    } finally {
      other.close();
    }
  });

  it('counts every finished request out of the target, so draining sees it idle', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${frontUrl}/`).then(async (r) => (await r.text(), r.status))),
    );
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 201));
    await until(() => registered.inFlight === 0, 2_000, 'no request in flight');
  });

  it('answers Expect: 100-continue itself and sends the body on without it', async () => {
    const res = await raw('/upload', {
      method: 'PUT',
      headers: { expect: '100-continue', 'content-length': String(BIG.length) },
      body: BIG,
      waitForContinue: true,
    });
    expect(res.status).toBe(201);
    expect(seen).toMatchObject({ method: 'PUT', bodySha: sha(BIG) });
    expect(header(seen!, 'expect')).toEqual([]);
  });

  it('keeps Host and Content-Length even when a Connection header names them', async () => {
    await raw('/named', {
      method: 'POST',
      headers: { host: 'api.cruddur.localhost', connection: 'keep-alive, host, content-length' },
      body: Buffer.from('{}'),
    });
    expect(header(seen!, 'host')).toEqual(['api.cruddur.localhost']);
    expect(header(seen!, 'content-length')).toEqual(['2']);
    expect(seen!.bodySha).toBe(sha(Buffer.from('{}')));
  });

  it('tells the target the client came over HTTPS on the edge, as the ALB does', async () => {
    const front = await startEdge('test', { rules: [], fallback: 'web' }, { web: group });
    const httpsPort = front.ports.httpsPort;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        https
          .get(
            {
              host: '127.0.0.1',
              port: httpsPort,
              path: '/',
              headers: { host: 'test.localhost' },
              ca: front.ca,
              servername: 'test.localhost',
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          )
          .on('error', reject);
      });
      expect(status).toBe(201);
      expect(header(seen!, 'x-forwarded-proto')).toEqual(['https']);
      expect(header(seen!, 'x-forwarded-port')).toEqual([String(httpsPort)]);
    } finally {
      await front.stop();
    }
  });

  /** A plain HTTP listener in front of `forwarder` for one test. */
  async function withFront(
    forwarder: Forwarder,
    targets: TargetGroup,
    body: (url: string) => Promise<void>,
  ): Promise<void> {
    const server = http.createServer((req, res) => forwarder.forward(req, res, targets));
    await listen(server, 0, '127.0.0.1');
    try {
      await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      await closeServer(server);
    }
  }

  function header(s: Seen, name: string): string[] {
    const values: string[] = [];
    for (let i = 0; i < s.rawHeaders.length; i += 2)
      if (s.rawHeaders[i]!.toLowerCase() === name) values.push(s.rawHeaders[i + 1]!);
    return values;
  }

  /** A request with node:http (fetch hides hop-by-hop headers), reading the body `readDelayMs` per chunk. */
  function raw(
    urlPath: string,
    options: {
      method?: string;
      headers?: http.OutgoingHttpHeaders;
      body?: Buffer;
      readDelayMs?: number;
      /** Send the body only after the server's 100 Continue, as curl does for large uploads. */
      waitForContinue?: boolean;
    } = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${frontUrl}${urlPath}`,
        { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            if (options.readDelayMs) {
              res.pause();
              setTimeout(() => res.resume(), options.readDelayMs);
            }
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (options.waitForContinue) req.once('continue', () => req.end(options.body));
      else req.end(options.body);
    });
  }
});

// A target that refuses a body without reading it, as Fastify does over its bodyLimit: it answers
// 413 with Connection: close and closes, while the body is still on its way. The ALB passes that
// answer on; so must the edge's forwarder and the Service Connect listener.
describe("a target's early answer", () => {
  const target = http.createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    if (req.url === '/echo') return void req.pipe(res);
    res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"error":"too large"}');
  });
  let group: TargetGroup;
  let registered: Target;
  let front: http.Server;
  let listener: DiscoveryListener;

  beforeAll(async () => {
    await listen(target, 0, '127.0.0.1');
    ({ group, target: registered } = await healthyGroup('early', target));
    const forwarder = new Forwarder();
    front = http.createServer((req, res) => forwarder.forward(req, res, group));
    await listen(front, 0, '127.0.0.1');
    listener = new DiscoveryListener(group);
    await listener.listen(0);
  });

  afterAll(async () => {
    group.close();
    listener.destroy();
    front.closeAllConnections();
    target.closeAllConnections();
    await Promise.all([listener.close(), closeServer(front), closeServer(target)]);
  });

  it.each([
    ['the edge forwarder', () => (front.address() as AddressInfo).port],
    ['the Service Connect listener', () => listener.port],
  ])(
    'passes on a 413 sent while a 300 KB, 1 MB or 5 MB body is still being sent, without resetting the client (%s)',
    async (_name, port) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const answers: string[] = [];
        for (const size of [300_000, 1_000_000, 5_000_000, 5_000_000, 5_000_000]) {
          const res = await post(agent, port(), '/api/activities', Buffer.alloc(size, 'a'));
          answers.push(`${res.status} ${res.body}`);
        }
        expect(answers).toEqual(Array.from({ length: 5 }, () => '413 {"error":"too large"}'));
        // The client's connections were not reset under it: the next request goes through.
        const echo = await post(agent, port(), '/echo', Buffer.from('still here'));
        expect(echo).toEqual({ status: 200, body: 'still here' });
        await until(() => registered.inFlight === 0, 2_000, 'no request in flight');
      } finally {
        agent.destroy();
      }
    },
  );

  it('stops the request to the target when the client goes away in the middle of its body', async () => {
    let seenAbort = false;
    const slowTarget = http.createServer((req, res) => {
      if (req.url === '/health') return void res.end('ok');
      req.resume();
      req.on('aborted', () => (seenAbort = true));
      req.on('end', () => res.end('whole'));
    });
    await listen(slowTarget, 0, '127.0.0.1');
    const { group: slowGroup, target: slow } = await healthyGroup('slow', slowTarget);
    const forwarder = new Forwarder();
    const server = http.createServer((req, res) => forwarder.forward(req, res, slowGroup));
    await listen(server, 0, '127.0.0.1');
    try {
      const req = http.request({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        method: 'POST',
        path: '/upload',
        headers: { 'content-length': 1_000_000 },
      });
      req.on('error', () => {});
      req.write(Buffer.alloc(1000, 'a'));
      await until(() => slow.inFlight === 1, 2_000, 'the request to reach the target');
      req.destroy();
      await until(() => seenAbort, 2_000, 'the target to see its request stopped');
      await until(() => slow.inFlight === 0, 2_000, 'no request in flight');
    } finally {
      slowGroup.close();
      server.closeAllConnections();
      slowTarget.closeAllConnections();
      await Promise.all([closeServer(server), closeServer(slowTarget)]);
    }
  });

  function post(
    agent: http.Agent,
    port: number,
    urlPath: string,
    body: Buffer,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: urlPath,
          agent,
          headers: { 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
});
