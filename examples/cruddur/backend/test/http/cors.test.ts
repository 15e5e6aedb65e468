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

  it('lets the frontend read the health check and the request id, as the page checks the API first', async () => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const response = await app.inject({
      method: 'GET',
      url: '/api/health-check',
      headers: { origin: FRONTEND },
    });

    expect(response.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(response.headers['access-control-expose-headers']).toBe('X-Request-Id');
  });

  it('says Vary: Origin on every answer, so a cache never hands one origin the answer meant for another', async () => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const withoutOrigin = await app.inject({ method: 'GET', url: '/api/activities/home' });
    const notFound = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: FRONTEND } });

    expect(withoutOrigin.headers.vary).toBe('Origin');
    expect(withoutOrigin.headers['access-control-allow-origin']).toBeUndefined();
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers.vary).toBe('Origin');
    expect(notFound.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('answers the preflight for a listed origin with the methods and headers the frontend uses', async () => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const response = await preflight(FRONTEND);

    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
    expect(response.headers['access-control-max-age']).toBe('600');
    expect(response.body).toBe('');
  });

  it('refuses an OPTIONS request that is not a preflight, saying which headers a preflight sends', async () => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/activities',
      headers: { origin: FRONTEND },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message:
        'An OPTIONS request is answered only as a CORS preflight; send Origin and Access-Control-Request-Method headers',
    });
  });

  it.each([
    'https://evil.example.com',
    'https://cruddur.example.com.evil.example',
    'http://cruddur.example.com',
    'null',
  ])('gives the unlisted origin %s no Access-Control-Allow-Origin', async (origin) => {
    app = testApp({ FRONTEND_URL: FRONTEND });

    const answer = await get(origin);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-expose-headers']).toBeUndefined();
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin when FRONTEND_URL is unset', async () => {
    app = testApp();

    const answer = await get(FRONTEND);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers.vary).toBeUndefined();
  });

  it('allows any origin with FRONTEND_URL=* outside production', async () => {
    app = testApp({ FRONTEND_URL: '*', NODE_ENV: 'development' });

    expect((await get('https://anything.example')).headers['access-control-allow-origin']).toBe('*');
  });
});
