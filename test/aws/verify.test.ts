import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsEvent } from '../../src/aws/events.ts';
import { verifyDeployment, verifyTargets } from '../../src/aws/verify.ts';
import { renderVerify } from '../../src/cli/operate-render.ts';
import { cruddur } from '../fixtures.ts';
import { makeCertificates, type TestCertificates } from '../support/tls.ts';

// The outside check against a real HTTPS server on 127.0.0.1 with a certificate from a test CA:
// an API that answers 503 for its first tries (targets still registering), an apex that serves
// HTML at once, and a path that never becomes healthy.

let certs: TestCertificates;
let server: https.Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  certs = await makeCertificates(['localhost', '127.0.0.1']);
  server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const n = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, n);
    if (req.url === '/api/health-check' && n >= 3) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
    } else res.writeHead(503).end('no healthy targets');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  certs?.remove();
});

describe('verifyDeployment', () => {
  it('retries a target until it turns healthy and records the tries and time', async () => {
    const events: AwsEvent[] = [];
    const result = await verifyDeployment({
      targets: [
        { service: 'backend', url: `${base}/api/health-check` },
        { service: 'frontend', url: `${base}/` },
      ],
      attempts: 5,
      intervalMs: 50,
      ca: certs.ca,
      notify: (e) => events.push(e),
    });
    expect(result.ok).toBe(true);
    expect(result.checks.map(({ ms: _ms, ...c }) => c)).toEqual([
      { service: 'backend', url: `${base}/api/health-check`, status: 200, attempts: 3, ok: true },
      { service: 'frontend', url: `${base}/`, status: 200, attempts: 1, ok: true },
    ]);
    expect(result.checks[0]!.ms).toBeGreaterThanOrEqual(100);
    expect(events.filter((e) => e.code === 'aws.verify.attempt').map((e) => e.message)).toEqual([
      `backend: ${base}/api/health-check: HTTP 503 (try 1 of 5)`,
      `backend: ${base}/api/health-check: HTTP 503 (try 2 of 5)`,
    ]);
  });

  it('fails a target that never turns healthy after the bounded tries, and says why', async () => {
    const events: AwsEvent[] = [];
    const result = await verifyDeployment({
      targets: [{ service: 'backend', url: `${base}/never` }],
      attempts: 3,
      intervalMs: 20,
      ca: certs.ca,
      notify: (e) => events.push(e),
    });
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({ status: 503, attempts: 3, ok: false, error: 'HTTP 503' });
    expect(hits.get('/never')).toBe(3);
    expect(events.at(-1)).toMatchObject({
      level: 'error',
      code: 'aws.verify.failed',
      message: `backend: ${base}/never not healthy after 3 tries: HTTP 503`,
    });
    expect(renderVerify(result)).toMatch(
      /backend\s+https:\/\/localhost:\d+\/never\s+FAILED \(HTTP 503\)\s+3\s+\d+\.\d s/,
    );
  });

  it('does not trust a certificate outside the system store and the given CA', async () => {
    const result = await verifyDeployment({
      targets: [{ service: 'frontend', url: `${base}/` }],
      attempts: 1,
      notify: () => {},
    });
    expect(result.checks[0]).toMatchObject({ ok: false, attempts: 1 });
    expect(result.checks[0]!.error).toMatch(/certificate/i);
  });

  it('names an unreachable target by its connection error', async () => {
    const result = await verifyDeployment({
      targets: [{ service: 'frontend', url: 'https://127.0.0.1:1/' }],
      attempts: 2,
      intervalMs: 10,
      notify: () => {},
    });
    expect(result.checks[0]).toMatchObject({ ok: false, attempts: 2 });
    expect(result.checks[0]!.error).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('verifyTargets', () => {
  it("checks each routed service's health path through its public URL", () => {
    expect(verifyTargets(cruddur())).toEqual([
      { service: 'backend', url: 'https://api.cruddur.example.com/api/health-check' },
      { service: 'frontend', url: 'https://cruddur.example.com/' },
    ]);
  });
});
