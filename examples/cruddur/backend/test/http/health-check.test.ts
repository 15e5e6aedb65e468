import { afterEach, describe, expect, it } from 'vitest';
import type { Activity, ActivityStore } from '../../src/store/index.ts';
import { testApp } from '../helpers.ts';

describe('GET /api/health-check', () => {
  let app: ReturnType<typeof testApp> | undefined;
  afterEach(() => app?.close());

  it('answers 200 {"success":true}', async () => {
    app = testApp();
    const response = await app.inject({ method: 'GET', url: '/api/health-check' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ success: true });
  });

  it('answers 200 even when the store is down, because it does no I/O', async () => {
    const fail = () => Promise.reject(new Error('store down'));
    const broken: ActivityStore = {
      list: fail,
      get: fail,
      create: fail as () => Promise<Activity>,
      close: async () => {},
    };
    app = testApp({}, { store: broken });

    const response = await app.inject({ method: 'GET', url: '/api/health-check' });

    expect(response.statusCode).toBe(200);
  });
});
