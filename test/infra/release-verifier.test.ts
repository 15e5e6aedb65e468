import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, freePort, listen } from '../../src/shared/net.ts';

/**
 * The verifier hook's own code, run here on Node against a local HTTP server standing in for the
 * test listener (the Lambda itself runs only in AWS; its synthesized form is asserted in
 * releases.test.ts).
 */
const require = createRequire(import.meta.url);
const verifier = require(path.resolve(import.meta.dirname, '../../src/infra/release/verifier-handler.cjs'));

let server: http.Server;
let origin: string;
const seen: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/api/health-check') res.writeHead(200).end('{"success":true}');
    else if (req.url === '/api/activities/home') res.writeHead(200).end('[{"uuid":"1"}]');
    else if (req.url === '/api/broken') res.writeHead(500).end('boom');
    else res.writeHead(404).end();
  });
  const port = await freePort();
  await listen(server, port, '127.0.0.1');
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => closeServer(server));

const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/cruddur-prod/cruddur-prod-backend';
const event = { executionDetails: { serviceArn: SERVICE_ARN, targetServiceRevisionArn: 'rev-2' } };
const envFor = (requests: object[]) => ({
  BERTH_VERIFY: JSON.stringify({ 'cruddur-prod-backend': { origin, requests } }),
});
const health = { method: 'GET', path: '/api/health-check', status: 200 };
const notFirst = async () => false;

describe('the release verifier hook', () => {
  it('answers SUCCEEDED when the health path and every verify request answer as expected', async () => {
    const out = await verifier.run(
      event,
      envFor([health, { method: 'GET', path: '/api/activities/home', status: 200, bodyContains: '"uuid"' }]),
      notFirst,
    );
    expect(out).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen.slice(-2)).toEqual(['GET /api/health-check', 'GET /api/activities/home']);
  });

  it('answers FAILED and says which request failed and how', async () => {
    const outcome = await verifier.verify({
      origin,
      requests: [
        health,
        { method: 'GET', path: '/api/broken', status: 200 },
        { method: 'GET', path: '/api/activities/home', status: 200, bodyContains: 'nothing-like-this' },
      ],
    });
    expect(outcome.hookStatus).toBe('FAILED');
    expect(outcome.results.map((r: any) => [r.path, r.status, r.problem])).toEqual([
      ['/api/health-check', 200, undefined],
      ['/api/broken', 500, 'answered 500, expected 200'],
      ['/api/activities/home', 200, 'body lacks "nothing-like-this"'],
    ]);
  });

  it('fails closed when the test listener does not answer', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const outcome = await verifier.verify({ origin: closed, requests: [health] });
    expect(outcome.hookStatus).toBe('FAILED');
    expect(outcome.results[0].problem).toBe('no answer: ECONNREFUSED');
  });

  it('fails a service it has no requests for, and lets a first deployment through unchecked', async () => {
    const other = { executionDetails: { serviceArn: SERVICE_ARN.replace('backend', 'worker') } };
    expect(await verifier.run(other, envFor([health]), notFirst)).toEqual({ hookStatus: 'FAILED' });
    const before = seen.length;
    expect(await verifier.run(event, envFor([health]), async () => true)).toEqual({
      hookStatus: 'SUCCEEDED',
    });
    expect(seen.length).toBe(before);
  });
});
