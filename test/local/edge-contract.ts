import { expect, it } from 'vitest';
import type { LocalStatus } from '../../src/local/index.ts';
import { edgeRequest } from './helpers.ts';

/**
 * The ALB rules every engine must show through the edge for the reference config. Registered as
 * `it` blocks in the calling describe; `status` is read when each test runs.
 */
export function edgeContract(status: () => LocalStatus): void {
  it('serves the frontend on the apex host', async () => {
    const res = await edgeRequest(status(), 'cruddur.localhost', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="root">');
  });

  it('sends api.<app>.localhost to the backend', async () => {
    const health = await edgeRequest(status(), 'api.cruddur.localhost', '/api/health-check');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ success: true });
    const feed = await edgeRequest(status(), 'api.cruddur.localhost', '/api/activities/home');
    expect(feed.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(feed.body).activities.length).toBeGreaterThan(0);
  });

  it('serves any path on the apex host from the frontend (the SPA fallback)', async () => {
    const res = await edgeRequest(status(), 'cruddur.localhost', '/some/spa/route', {
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<div id="root">');
  });

  it('gives any other name under <app>.localhost the default action, the fixed 404, as the ALB does', async () => {
    const res = await edgeRequest(status(), 'www.cruddur.localhost', '/some/spa/route', {
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(404);
    expect(res.body).toBe('404 Not Found\n');
  });

  it('answers HTTP with 301 to the same host, path and query on HTTPS', async () => {
    const res = await edgeRequest(status(), 'api.cruddur.localhost', '/api/health-check?x=1', {
      scheme: 'http',
    });
    const httpsPort = new URL(status().edge.https).port;
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://api.cruddur.localhost:${httpsPort}/api/health-check?x=1`);
  });

  it("gives a host outside the app's names the ALB's fixed 404", async () => {
    const res = await edgeRequest(status(), 'localhost', '/');
    expect(res.status).toBe(404);
    expect(res.body).toBe('404 Not Found\n');
    // The config's real domain is not the local one: its requests would go to AWS, not here.
    const real = await edgeRequest(status(), 'cruddur.example.com', '/', { servername: 'cruddur.localhost' });
    expect(real.status).toBe(404);
  });

  it("lets the page's origin call the API (FRONTEND_URL points at the edge)", async () => {
    // The backend's CORS allows FRONTEND_URL, which the config sets to the apex and berth up
    // rewrites to the edge: a page on https://cruddur.localhost:PORT may call the API.
    const origin = status()
      .services.find((s) => s.id === 'frontend')!
      .urls[0]!.replace(/\/$/, '');
    const res = await edgeRequest(status(), 'api.cruddur.localhost', '/api/activities/home', {
      headers: { origin },
    });
    expect(res.headers['access-control-allow-origin']).toBe(origin);
  });

  it('reports every task healthy with the URLs to open', () => {
    const s = status();
    expect(s.phase).toBe('running');
    expect(s.services.map((svc) => [svc.id, svc.tasks.map((t) => t.health)])).toEqual([
      ['backend', ['healthy']],
      ['frontend', ['healthy']],
    ]);
    const httpsPort = new URL(s.edge.https).port;
    expect(s.services.flatMap((svc) => svc.urls)).toEqual([
      `https://api.cruddur.localhost:${httpsPort}/`,
      `https://cruddur.localhost:${httpsPort}/`,
    ]);
  });
}
