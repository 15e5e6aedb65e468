import { vi } from 'vitest';

import type { Activity } from '../../src/app/api/index.ts';

export interface FakeBackendOptions {
  /** What /config.json answers; `undefined` means 404. */
  readonly config?: unknown;
  /** Newest first, like the real feed. */
  readonly activities?: readonly Activity[];
  /** Every API call rejects the way fetch does when nothing listens. */
  readonly down?: boolean;
}

export function activity(n: number, overrides: Partial<Activity> = {}): Activity {
  return {
    id: `act-${n}`,
    handle: `user_${n}`,
    message: `Message number ${n}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    ...overrides,
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/**
 * A stand-in for the backend behind `fetch`, following the API contract: pages by `before`
 * cursor, validates posts like the backend does, and can be taken down and brought back.
 */
export function fakeBackend(options: FakeBackendOptions = {}) {
  const state = {
    activities: [...(options.activities ?? [])],
    down: options.down ?? false,
    nextId: 1000,
  };

  const fetch = vi.fn(async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input, 'http://localhost:3000');
    const method = init.method ?? 'GET';

    if (url.pathname === '/config.json' && url.host === 'localhost:3000') {
      return options.config === undefined ? json({ message: 'Not Found' }, 404) : json(options.config);
    }
    if (state.down) throw new TypeError('Failed to fetch');

    if (method === 'GET' && url.pathname === '/api/health-check') return json({ success: true });

    if (method === 'GET' && url.pathname === '/api/activities/home') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const before = url.searchParams.get('before');
      const start = before === null ? 0 : state.activities.findIndex((a) => a.id === before) + 1;
      const page = state.activities.slice(start, start + limit);
      const hasMore = start + limit < state.activities.length;
      return json({ activities: page, nextBefore: hasMore ? (page.at(-1)?.id ?? null) : null });
    }

    if (method === 'POST' && url.pathname === '/api/activities') {
      const body = JSON.parse(String(init.body)) as { handle: string; message: string };
      const message = body.message.trim();
      const fields: Record<string, string> = {};
      if (!/^[a-z0-9_]{3,20}$/.test(body.handle)) fields.handle = 'Handle must be 3-20 of a-z, 0-9 and _.';
      if (message.length < 1 || message.length > 280) fields.message = 'Message must be 1-280 characters.';
      if (Object.keys(fields).length > 0) {
        return json({ statusCode: 400, error: 'Bad Request', message: 'Invalid activity.', fields }, 400);
      }
      const created: Activity = {
        id: `act-${state.nextId++}`,
        handle: body.handle,
        message,
        createdAt: new Date().toISOString(),
      };
      state.activities.unshift(created);
      return json(created, 201);
    }

    return json({ statusCode: 404, error: 'Not Found', message: 'Not found' }, 404);
  });

  return {
    fetch,
    /** Simulates the backend going away or coming back. */
    setDown(down: boolean) {
      state.down = down;
    },
    /** The API calls made so far, as `METHOD url`. */
    calls(): string[] {
      return fetch.mock.calls.map(([input, init]) => `${init?.method ?? 'GET'} ${input}`);
    },
  };
}
