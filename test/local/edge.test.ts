import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyRunningError, LocalRun, up, type LocalStatus } from '../../src/local/index.ts';
import { cleanup, cruddurConfig, edgeRequest, recorder, taskPids, tempDir } from './helpers.ts';

// The reference config on the process engine, through the local edge, as a browser would use it.
describe('berth up (process engine): the edge applies the ALB rules of the config', () => {
  const dir = tempDir('edge');
  let run: LocalRun;
  let status: LocalStatus;
  const { events, notify } = recorder();

  beforeAll(async () => {
    const config = await cruddurConfig(dir);
    run = await up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free', notify });
    status = run.status();
  });

  afterAll(async () => {
    const pids = status ? taskPids(status) : [];
    await run?.stop();
    cleanup(dir, pids);
  });

  it('serves the frontend on the apex host', async () => {
    const res = await edgeRequest(status, 'cruddur.localhost', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="root">');
  });

  it('sends api.<app>.localhost to the backend', async () => {
    const health = await edgeRequest(status, 'api.cruddur.localhost', '/api/health-check');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ success: true });
    const feed = await edgeRequest(status, 'api.cruddur.localhost', '/api/activities/home');
    expect(feed.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(feed.body).activities.length).toBeGreaterThan(0);
  });

  it('any other name under <app>.localhost takes the default action (the frontend)', async () => {
    const res = await edgeRequest(status, 'www.cruddur.localhost', '/some/spa/route', {
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<div id="root">');
  });

  it('answers HTTP with 301 to the same host, path and query on HTTPS', async () => {
    const res = await edgeRequest(status, 'api.cruddur.localhost', '/api/health-check?x=1', {
      scheme: 'http',
    });
    const httpsPort = new URL(status.edge.https).port;
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://api.cruddur.localhost:${httpsPort}/api/health-check?x=1`);
  });

  it("gives a host outside the app's names the ALB's fixed 404", async () => {
    const res = await edgeRequest(status, 'localhost', '/');
    expect(res.status).toBe(404);
    expect(res.body).toBe('404 Not Found\n');
    // The config's real domain is not the local one: its requests would go to AWS, not here.
    const real = await edgeRequest(status, 'cruddur.example.com', '/', { servername: 'cruddur.localhost' });
    expect(real.status).toBe(404);
  });

  it('passes X-Forwarded-Proto and keeps the Host header, like the ALB', async () => {
    // The backend's CORS allows FRONTEND_URL, which the config sets to the apex and berth up
    // points at the edge: a page on https://cruddur.localhost:PORT may call the API.
    const origin = status.services.find((s) => s.id === 'frontend')!.urls[0]!.replace(/\/$/, '');
    const res = await edgeRequest(status, 'api.cruddur.localhost', '/api/activities/home', {
      headers: { origin },
    });
    expect(res.headers['access-control-allow-origin']).toBe(origin);
  });

  it('lets services reach each other by name through SERVICE_<NAME>_URL', async () => {
    const backend = status.services.find((s) => s.id === 'backend')!;
    const res = await fetch(`${backend.discoveryUrl}/api/health-check`);
    expect(await res.json()).toEqual({ success: true });
  });

  it('reports every task healthy with the URLs to open', () => {
    expect(status.phase).toBe('running');
    expect(status.services.map((s) => [s.id, s.tasks.map((t) => t.health)])).toEqual([
      ['backend', ['healthy']],
      ['frontend', ['healthy']],
    ]);
    const httpsPort = new URL(status.edge.https).port;
    expect(status.services.flatMap((s) => s.urls)).toEqual([
      `https://api.cruddur.localhost:${httpsPort}/`,
      `https://cruddur.localhost:${httpsPort}/`,
    ]);
    expect(events.find((e) => e.code === 'tls.ca-created')?.data?.trustCommands).toBeDefined();
  });

  it('refuses a second berth up for the same config instead of failing on a busy port', async () => {
    const config = await cruddurConfig(dir);
    await expect(up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' })).rejects.toThrow(
      AlreadyRunningError,
    );
    expect(run.phase).toBe('running');
  });
});
