import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.ts';

const FRONTEND = 'https://cruddur.example.com';
const LOCAL = 'http://localhost:3000';

let app: ReturnType<typeof testApp>;
afterEach(() => app.close());

function get(origin: string) {
  return app.inject({ method: 'GET', url: '/api/activities/home', headers: { origin } });
}

function preflight(origin: string) {
  return app.inject({
    method: 'OPTIONS',
    url: '/api/activities',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

describe('CORS', () => {
  it('allows each origin listed in FRONTEND_URL', async () => {
    app = testApp({ FRONTEND_URL: `${FRONTEND}, ${LOCAL}` });

    for (const origin of [FRONTEND, LOCAL]) {
      const response = await get(origin);
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers.vary).toContain('Origin');
    }
  });

  it('answers the preflight for a listed origin with the methods and headers the frontend uses', async () => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const response = await preflight(FRONTEND);

    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it.each([
    'https://evil.example.com',
    'https://cruddur.example.com.evil.example',
    'http://cruddur.example.com',
    'null',
  ])('gives the unlisted origin %s no Access-Control-Allow-Origin', async (origin) => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    expect((await get(origin)).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin when FRONTEND_URL is unset', async () => {
    app = testApp();

    expect((await get(FRONTEND)).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin with FRONTEND_URL=* outside production', async () => {
    app = testApp({ FRONTEND_URL: '*', NODE_ENV: 'development' });

    expect((await get('https://anything.example')).headers['access-control-allow-origin']).toBe('*');
  });
});
