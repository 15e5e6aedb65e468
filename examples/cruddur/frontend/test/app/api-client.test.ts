import { describe, expect, it, vi } from 'vitest';

import { ApiError, createApiClient } from '../../src/app/api/index.ts';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('api client', () => {
  it('turns a failed fetch into a network error naming the backend', async () => {
    const api = createApiClient(
      'http://api.test',
      vi.fn(async () => Promise.reject(new TypeError('Failed'))),
    );

    const error = await api.listHome().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      kind: 'network',
      status: null,
      message: "Can't reach the API at http://api.test.",
    });
  });

  it('keeps the message and field errors of a 400', async () => {
    const body = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid.',
      fields: { handle: 'too short' },
    };
    const api = createApiClient(
      'http://api.test',
      vi.fn(async () => json(body, 400)),
    );

    await expect(api.postActivity({ handle: 'a', message: 'hi' })).rejects.toMatchObject({
      kind: 'http',
      status: 400,
      message: 'Invalid.',
      fields: { handle: 'too short' },
    });
  });

  it('says which status came back when an error has no JSON body', async () => {
    const api = createApiClient(
      'http://api.test',
      vi.fn(async () => new Response('Bad Gateway', { status: 502 })),
    );

    await expect(api.listHome()).rejects.toMatchObject({
      kind: 'http',
      status: 502,
      message: 'The API answered 502.',
    });
  });

  it('rejects a feed it does not understand', async () => {
    const api = createApiClient(
      'http://api.test',
      vi.fn(async () => json({ items: [] })),
    );

    await expect(api.listHome()).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('reads a feed without nextBefore as the last page', async () => {
    const api = createApiClient(
      'http://api.test',
      vi.fn(async () => json({ activities: [] })),
    );

    await expect(api.listHome()).resolves.toEqual({ activities: [], nextBefore: null });
  });

  it('reports health without throwing', async () => {
    const healthy = createApiClient(
      'http://api.test',
      vi.fn(async () => json({ success: true })),
    );
    const failing = createApiClient(
      'http://api.test',
      vi.fn(async () => json({ statusCode: 503 }, 503)),
    );
    const down = createApiClient(
      'http://api.test',
      vi.fn(async () => Promise.reject(new TypeError('Failed'))),
    );

    expect(await healthy.isHealthy()).toBe(true);
    expect(await failing.isHealthy()).toBe(false);
    expect(await down.isHealthy()).toBe(false);
  });
});
