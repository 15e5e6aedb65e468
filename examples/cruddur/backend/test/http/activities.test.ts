import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIVITY_ID_PATTERN, MemoryActivityStore, type Activity } from '../../src/store/index.ts';
import { testApp } from '../helpers.ts';

const idPattern = new RegExp(ACTIVITY_ID_PATTERN);
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let store: MemoryActivityStore;
let app: ReturnType<typeof testApp>;

beforeEach(() => {
  store = new MemoryActivityStore();
  app = testApp({}, { store });
});
afterEach(() => app.close());

async function post(body: unknown) {
  return app.inject({ method: 'POST', url: '/api/activities', payload: body as object });
}

async function seed(count: number): Promise<Activity[]> {
  const created: Activity[] = [];
  for (let i = 0; i < count; i++) created.push(await store.create({ handle: 'worf', message: `post ${i}` }));
  return created;
}

describe('GET /api/activities/home', () => {
  it('lists activities newest first with no cursor when everything fits', async () => {
    const [first, second, third] = await seed(3);

    const response = await app.inject({ method: 'GET', url: '/api/activities/home' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ activities: [third, second, first], nextBefore: null });
  });

  it('returns 20 activities by default and a cursor to the rest', async () => {
    const created = await seed(25);

    const body = (await app.inject({ method: 'GET', url: '/api/activities/home' })).json();

    expect(body.activities).toHaveLength(20);
    expect(body.activities[0].id).toBe(created[24]?.id);
    expect(body.nextBefore).toBe(created[5]?.id);
  });

  it('pages with limit and before until nextBefore is null, visiting each activity once', async () => {
    const created = await seed(5);
    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let url = '/api/activities/home?limit=2';
    for (;;) {
      const body = (await app.inject({ method: 'GET', url })).json();
      seen.push(...body.activities.map((a: Activity) => a.id));
      cursors.push(body.nextBefore);
      if (body.nextBefore === null) break;
      url = `/api/activities/home?limit=2&before=${body.nextBefore}`;
    }

    expect(seen).toEqual(created.map((a) => a.id).reverse());
    expect(cursors).toEqual([created[3]?.id, created[1]?.id, null]);
  });

  it('answers nextBefore null when the page takes exactly what remains', async () => {
    await seed(4);

    const body = (await app.inject({ method: 'GET', url: '/api/activities/home?limit=4' })).json();

    expect(body.activities).toHaveLength(4);
    expect(body.nextBefore).toBeNull();
  });

  it('accepts limits 1 and 100', async () => {
    await seed(2);

    const one = await app.inject({ method: 'GET', url: '/api/activities/home?limit=1' });
    const hundred = await app.inject({ method: 'GET', url: '/api/activities/home?limit=100' });

    expect(one.json().activities).toHaveLength(1);
    expect(hundred.json().activities).toHaveLength(2);
  });

  it.each([
    ['0', 'must be at least 1'],
    ['101', 'must be at most 100'],
    ['-1', 'must be at least 1'],
    ['99999999999999999999999', 'must be at most 100'],
    ['abc', 'must be an integer'],
    ['1.5', 'must be an integer'],
    ['', 'must be an integer'],
  ])('refuses limit=%j with 400 naming limit', async (limit, problem) => {
    const response = await app.inject({ method: 'GET', url: `/api/activities/home?limit=${limit}` });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `limit ${problem}`,
      fields: { limit: problem },
    });
  });

  it('refuses a repeated limit', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/activities/home?limit=1&limit=2' });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual({ limit: 'must be an integer' });
  });

  it.each(['abc', 'zzzzzzzzzzzzzzzzzzzzzzzzzz', `${UNKNOWN_ID}0`, UNKNOWN_ID.toLowerCase()])(
    'refuses before=%j with 400 naming before',
    async (before) => {
      const response = await app.inject({ method: 'GET', url: `/api/activities/home?before=${before}` });

      expect(response.statusCode).toBe(400);
      expect(response.json().fields).toEqual({ before: expect.stringContaining('must be an activity id') });
      expect(response.json().message).toMatch(/^before must be an activity id/);
    },
  );

  it('names both query fields when both are wrong', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/activities/home?limit=0&before=x' });

    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().fields)).toEqual(['limit', 'before']);
  });

  it('starts from the seeded Cruddur posts when no store is given and no table is set', async () => {
    const seeded = testApp({}, { store: undefined });

    const body = (await seeded.inject({ method: 'GET', url: '/api/activities/home' })).json();
    await seeded.close();

    expect(body.activities.map((a: Activity) => a.handle)).toEqual(['andrewbrown', 'worf', 'garek']);
  });
});

describe('GET /api/activities/:id', () => {
  it('answers the activity', async () => {
    const [activity] = await seed(1);

    const response = await app.inject({ method: 'GET', url: `/api/activities/${activity?.id}` });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(activity);
  });

  it('answers 404 naming the id when no activity has it', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/activities/${UNKNOWN_ID}` });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `No activity has id ${UNKNOWN_ID}`,
    });
  });

  it.each(['42', 'not-an-id', 'X'.repeat(100), encodeURIComponent('01ARZ3NDEKTSV4RRFFQ69G5FA\u0000')])(
    'answers 400 naming id for the malformed id %#',
    async (id) => {
      const response = await app.inject({ method: 'GET', url: `/api/activities/${id}` });

      expect(response.statusCode).toBe(400);
      expect(response.json().fields).toEqual({ id: expect.stringContaining('must be an activity id') });
    },
  );
});

describe('POST /api/activities', () => {
  it('creates an activity: 201, its JSON, and a Location to fetch it', async () => {
    const response = await post({ handle: 'andrewbrown', message: 'Cloud is fun!' });

    expect(response.statusCode).toBe(201);
    const activity = response.json();
    expect(activity).toEqual({
      id: expect.stringMatching(idPattern),
      handle: 'andrewbrown',
      message: 'Cloud is fun!',
      createdAt: expect.any(String),
    });
    expect(new Date(activity.createdAt).toISOString()).toBe(activity.createdAt);
    expect(response.headers.location).toBe(`/api/activities/${activity.id}`);
    const fetched = await app.inject({ method: 'GET', url: response.headers.location as string });
    expect(fetched.json()).toEqual(activity);
  });

  it('puts the new activity at the top of the home feed', async () => {
    await seed(2);

    const created = (await post({ handle: 'garek', message: 'Just a simple tailor' })).json();
    const feed = (await app.inject({ method: 'GET', url: '/api/activities/home' })).json();

    expect(feed.activities[0]).toEqual(created);
  });

  it('stores the message trimmed', async () => {
    const response = await post({ handle: 'worf', message: '\n  Qapla!\t ' });

    expect(response.statusCode).toBe(201);
    expect(response.json().message).toBe('Qapla!');
  });

  it.each([
    ['3 characters', 'abc'],
    ['20 characters', 'a'.repeat(20)],
    ['digits and _', 'data_2364'],
  ])('accepts a handle of %s', async (_, handle) => {
    expect((await post({ handle, message: 'hi' })).statusCode).toBe(201);
  });

  it.each([
    ['280 characters', 'x'.repeat(280)],
    ['280 emoji, counted as characters not UTF-16 units', '🖖'.repeat(280)],
    ['280 characters once trimmed', `${' '.repeat(30)}${'x'.repeat(280)}${' '.repeat(30)}`],
    ['line breaks and tabs', 'line one\n\tline two'],
    ['non-Latin scripts', 'Qapla’ — 勝利 — نصر'],
  ])('accepts a message of %s', async (_, message) => {
    expect((await post({ handle: 'worf', message })).statusCode).toBe(201);
  });

  const HANDLE_RULE = 'must be 3 to 20 characters of a-z, 0-9 and _';
  it.each([
    ['missing', { message: 'hi' }, 'is required'],
    ['2 characters', { handle: 'ab', message: 'hi' }, HANDLE_RULE],
    ['21 characters', { handle: 'a'.repeat(21), message: 'hi' }, HANDLE_RULE],
    ['uppercase', { handle: 'Worf', message: 'hi' }, HANDLE_RULE],
    ['a space', { handle: 'wo rf', message: 'hi' }, HANDLE_RULE],
    ['a dash', { handle: 'wo-rf', message: 'hi' }, HANDLE_RULE],
    ['non-ASCII letters', { handle: 'wörf', message: 'hi' }, HANDLE_RULE],
    ['a null byte', { handle: 'worf\u0000', message: 'hi' }, HANDLE_RULE],
    ['a number', { handle: 12345, message: 'hi' }, 'must be a string'],
    ['an array', { handle: ['worf'], message: 'hi' }, 'must be a string'],
    ['null', { handle: null, message: 'hi' }, 'must be a string'],
  ])('refuses a handle that is %s with 400 naming handle', async (_, body, problem) => {
    const response = await post(body);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `handle ${problem}`,
      fields: { handle: problem },
    });
  });

  it.each([
    ['missing', { handle: 'worf' }, 'is required'],
    ['empty', { handle: 'worf', message: '' }, 'must not be empty'],
    ['only whitespace', { handle: 'worf', message: ' \n\t ' }, 'must not be empty'],
    ['281 characters', { handle: 'worf', message: 'x'.repeat(281) }, 'must be at most 280 characters'],
    [
      'a null byte',
      { handle: 'worf', message: 'a\u0000b' },
      'must not contain control characters or invalid Unicode',
    ],
    [
      'a lone surrogate',
      { handle: 'worf', message: 'a\ud800b' },
      'must not contain control characters or invalid Unicode',
    ],
    ['a number', { handle: 'worf', message: 1e308 }, 'must be a string'],
    ['an object', { handle: 'worf', message: { text: 'hi' } }, 'must be a string'],
    ['an array', { handle: 'worf', message: ['hi'] }, 'must be a string'],
  ])('refuses a message that is %s with 400 naming message', async (_, body, problem) => {
    const response = await post(body);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `message ${problem}`,
      fields: { message: problem },
    });
  });

  it('rejects properties it does not know, naming them, and stores nothing', async () => {
    const response = await post({ handle: 'worf', message: 'hi', admin: true });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual({ admin: 'is not allowed' });
    expect((await store.list({ limit: 10 })).activities).toEqual([]);
  });

  it('names every bad field at once, so a form can mark each', async () => {
    const response = await post({ handle: 'X', message: '' });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual({ handle: HANDLE_RULE, message: 'must not be empty' });
    expect(response.json().message).toBe(`handle ${HANDLE_RULE}; message must not be empty`);
  });

  it.each([
    ['an array', []],
    ['a string', 'worf'],
    ['a number', 42],
    ['null', null],
  ])('refuses a body that is %s with 400 naming body', async (_, body) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual({ body: 'must be an object' });
  });
});
