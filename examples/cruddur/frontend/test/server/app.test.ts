// @vitest-environment node
import { readFileSync } from 'node:fs';

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer } from '../../src/server/app.ts';
import { STATIC_DIR, builtScript, requireBuild } from './build-output.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

function directives(csp: unknown): Map<string, string> {
  return new Map(
    String(csp)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

describe('frontend server with BACKEND_URL', () => {
  let app: FastifyInstance;
  let indexHtml: string;

  beforeAll(async () => {
    requireBuild();
    indexHtml = readFileSync(`${STATIC_DIR}index.html`, 'utf8');
    app = await buildServer({ staticDir: STATIC_DIR, backendUrl: 'https://api.example.com' });
  });
  afterAll(() => app.close());

  it('answers / with index.html for the load balancer health check', async () => {
    const response = await app.inject({ url: '/' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe(indexHtml);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('sends a strict content security policy that lets the page reach the backend only', async () => {
    const response = await app.inject({ url: '/' });
    const csp = directives(response.headers['content-security-policy']);

    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self' https://api.example.com");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-inline');
  });

  it('sends the other security headers', async () => {
    const response = await app.inject({ url: '/' });

    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('lets browsers keep hashed assets for a year', async () => {
    const response = await app.inject({ url: `/assets/${builtScript()}` });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('makes browsers revalidate files whose names do not change', async () => {
    const favicon = await app.inject({ url: '/favicon.svg' });
    const index = await app.inject({ url: '/index.html' });

    expect(favicon.headers['cache-control']).toBe('no-cache');
    expect(index.headers['cache-control']).toBe('no-cache');
  });

  it('publishes the backend URL at /config.json, uncached', async () => {
    const response = await app.inject({ url: '/config.json' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.json()).toEqual({ backendUrl: 'https://api.example.com' });
  });

  it.each(['/activities/abc', '/some/deep/route', '/profile?tab=posts'])(
    'answers a page navigation to %s with index.html',
    async (url) => {
      const response = await app.inject({ url, headers: HTML });

      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(indexHtml);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    },
  );

  it.each([
    ['a missing asset, even when HTML is accepted', '/assets/missing.js', HTML],
    ['a missing file with an extension', '/favicon.ico', HTML],
    ['a request that does not accept HTML', '/activities/abc', { accept: 'application/json' }],
  ])('answers %s with a JSON 404', async (_case, url, headers) => {
    const response = await app.inject({ url, headers });

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('does not answer other methods with the page', async () => {
    const response = await app.inject({ method: 'POST', url: '/activities', headers: HTML });

    expect(response.statusCode).toBe(404);
  });
});

describe('frontend server without BACKEND_URL', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    requireBuild();
    app = await buildServer({ staticDir: STATIC_DIR });
  });
  afterAll(() => app.close());

  it('publishes a null backend URL so the page uses api.<its host>', async () => {
    const response = await app.inject({ url: '/config.json' });

    expect(response.json()).toEqual({ backendUrl: null });
  });

  it.each([
    ['example.com', "'self' api.example.com"],
    ['cruddur.localhost:8443', "'self' api.cruddur.localhost:8443"],
  ])('allows connections to api.<host> for Host %s', async (host, connectSrc) => {
    const response = await app.inject({ url: '/', headers: { host } });

    expect(directives(response.headers['content-security-policy']).get('connect-src')).toBe(connectSrc);
  });

  it('allows only self when the Host header could inject directives', async () => {
    const response = await app.inject({
      url: '/',
      headers: { host: "evil.com; script-src 'unsafe-inline'" },
    });
    const csp = directives(response.headers['content-security-policy']);

    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
  });
});
