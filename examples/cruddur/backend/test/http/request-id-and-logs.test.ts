import { afterEach, describe, expect, it } from 'vitest';
import { logCollector, testApp } from '../helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let app: ReturnType<typeof testApp>;
afterEach(() => app.close());

describe('request ids', () => {
  it('echoes a well-formed incoming x-request-id', async () => {
    app = testApp();

    const response = await app.inject({
      method: 'GET',
      url: '/api/activities/home',
      headers: { 'x-request-id': '1-67a1b2c3:web.42_a' },
    });

    expect(response.headers['x-request-id']).toBe('1-67a1b2c3:web.42_a');
  });

  it('generates a UUID when none is sent', async () => {
    app = testApp();

    const response = await app.inject({ method: 'GET', url: '/api/activities/home' });

    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it.each([
    ['spaces', 'abc def'],
    ['a line break', 'abc\nInjected: yes'],
    ['JSON', '{"level":60}'],
    ['129 characters', 'a'.repeat(129)],
    ['nothing', ''],
  ])('replaces an incoming id with %s by a UUID', async (_, incoming) => {
    app = testApp();

    const response = await app.inject({
      method: 'GET',
      url: '/api/activities/home',
      headers: { 'x-request-id': incoming },
    });

    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('sends the id on error responses too', async () => {
    app = testApp();

    const notFound = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'r-404' } });
    const invalid = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'x-request-id': 'r-400' },
      payload: {},
    });

    expect(notFound.headers['x-request-id']).toBe('r-404');
    expect(invalid.headers['x-request-id']).toBe('r-400');
  });
});

describe('logs', () => {
  it('writes one access line per request with method, URL, status, duration and request id', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'info' }, { logStream: logs.stream });

    await app.inject({
      method: 'GET',
      url: '/api/activities/home?limit=2',
      headers: { 'x-request-id': 'r-logs' },
    });

    const requestLines = logs.lines.filter((line) => line.reqId === 'r-logs');
    expect(requestLines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request',
        method: 'GET',
        url: '/api/activities/home?limit=2',
        status: 200,
        ms: expect.any(Number),
      }),
    ]);
  });

  it('logs client errors with their status', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'info' }, { logStream: logs.stream });

    await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'r-404' } });

    expect(logs.lines.filter((line) => line.reqId === 'r-404')).toEqual([
      expect.objectContaining({ msg: 'request', method: 'GET', url: '/nope', status: 404 }),
    ]);
  });

  it('keeps request headers out of access lines', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'info' }, { logStream: logs.stream });

    await app.inject({
      method: 'GET',
      url: '/api/activities/home',
      headers: { authorization: 'Bearer sk-live-123', cookie: 'session=s3cr3t' },
    });

    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('s3cr3t');
  });

  it('keeps health checks out of info logs', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'info' }, { logStream: logs.stream });

    await app.inject({ method: 'GET', url: '/api/health-check', headers: { 'x-request-id': 'probe' } });

    expect(logs.lines.filter((line) => line.reqId === 'probe')).toEqual([]);
  });

  it('logs health checks at debug', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'debug' }, { logStream: logs.stream });

    await app.inject({ method: 'GET', url: '/api/health-check', headers: { 'x-request-id': 'probe' } });

    expect(logs.lines.filter((line) => line.reqId === 'probe')).toEqual([
      expect.objectContaining({ level: 20, msg: 'request', url: '/api/health-check', status: 200 }),
    ]);
  });
});
