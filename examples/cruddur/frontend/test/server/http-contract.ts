import { readFileSync } from 'node:fs';
import http from 'node:http';

import { beforeAll, describe, expect, it } from 'vitest';

import { STATIC_DIR, builtScript, requireBuild } from './build-output.ts';

/** A frontend server listening on 127.0.0.1, started with or without BACKEND_URL. */
export interface RunningServer {
  readonly port: number;
}
export type StartServer = (env: { readonly backendUrl?: string }) => Promise<RunningServer>;

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A plain HTTP request: unlike fetch, it may set Host, as a browser behind the load balancer does. */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject).end(options.body);
  });
}

export function directives(csp: unknown): Map<string, string> {
  return new Map(
    String(csp)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

/**
 * What the frontend answers over HTTP, whichever server runs it: the Fastify server (`berth up`
 * with the process engine) and nginx (the production image) must both pass every case.
 */
export function httpContract(start: StartServer): void {
  let indexHtml: string;
  beforeAll(() => {
    requireBuild();
    indexHtml = readFileSync(`${STATIC_DIR}index.html`, 'utf8');
  });

  describe('with BACKEND_URL', () => {
    let port: number;
    beforeAll(async () => {
      ({ port } = await start({ backendUrl: 'https://api.example.com' }));
    });
    const get = (path: string, headers?: Record<string, string>) =>
      request(port, path, headers ? { headers } : {});

    it('answers / with index.html for the load balancer health check', async () => {
      const response = await get('/');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toBe(indexHtml);
      expect(response.headers['cache-control']).toBe('no-cache');
    });

    it('sends a strict content security policy that lets the page reach the backend only', async () => {
      const response = await get('/');
      const csp = directives(response.headers['content-security-policy']);

      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('connect-src')).toBe("'self' https://api.example.com");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-inline');
    });

    it('sends the other security headers', async () => {
      const response = await get('/');

      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-permitted-cross-domain-policies': 'none',
      });
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });

    it('lets browsers keep hashed assets for a year', async () => {
      const response = await get(`/assets/${builtScript()}`);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it('makes browsers revalidate files whose names do not change', async () => {
      const favicon = await get('/favicon.svg');
      const index = await get('/index.html');

      expect(favicon.headers['content-type']).toBe('image/svg+xml');
      expect(favicon.headers['cache-control']).toBe('no-cache');
      expect(index.headers['cache-control']).toBe('no-cache');
    });

    it('publishes the backend URL at /config.json, uncached', async () => {
      const response = await get('/config.json');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(JSON.parse(response.body)).toEqual({ backendUrl: 'https://api.example.com' });
    });

    it.each(['/activities/abc', '/some/deep/route', '/profile?tab=posts', '/activities/'])(
      'answers a page navigation to %s with index.html',
      async (path) => {
        const response = await get(path, HTML);

        expect(response.status).toBe(200);
        expect(response.body).toBe(indexHtml);
        expect(response.headers['cache-control']).toBe('no-cache');
        expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      },
    );

    it.each([
      ['a missing asset, even when HTML is accepted', '/assets/missing.js', HTML],
      ['a missing file with an extension', '/favicon.ico', HTML],
      ['the assets folder itself', '/assets/', HTML],
      ['a request that does not accept HTML', '/activities/abc?x=1', { accept: 'application/json' }],
    ])('answers %s with a JSON 404 naming the path', async (_case, path, headers) => {
      const response = await get(path, headers);

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBeUndefined();
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `Nothing at GET ${path.split('?')[0]}`,
      });
    });

    it.each([
      ['POST', '/activities'],
      ['POST', '/'],
      ['PUT', '/index.html'],
      ['DELETE', '/config.json'],
    ])('answers %s %s with a JSON 404, not the page', async (method, path) => {
      const response = await request(port, path, { method, headers: HTML });

      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ message: `Nothing at ${method} ${path}` });
    });

    it('answers HEAD like GET, without a body', async () => {
      const response = await request(port, '/activities/abc', { method: 'HEAD', headers: HTML });

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toBe('');
    });
  });

  describe('without BACKEND_URL', () => {
    let port: number;
    beforeAll(async () => {
      ({ port } = await start({}));
    });

    it('publishes a null backend URL so the page uses api.<its host>', async () => {
      const response = await request(port, '/config.json');

      expect(JSON.parse(response.body)).toEqual({ backendUrl: null });
    });

    it.each([
      ['example.com', "'self' api.example.com"],
      ['cruddur.localhost:8443', "'self' api.cruddur.localhost:8443"],
    ])('allows connections to api.<host> for Host %s', async (host, connectSrc) => {
      const response = await request(port, '/', { headers: { host } });

      expect(directives(response.headers['content-security-policy']).get('connect-src')).toBe(connectSrc);
    });

    it('allows only self when the Host header could inject directives', async () => {
      const response = await request(port, '/', { headers: { host: 'evil.com,script-src' } });
      const csp = directives(response.headers['content-security-policy']);

      expect(csp.get('connect-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
    });
  });
}
