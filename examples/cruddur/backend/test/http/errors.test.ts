import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityStore } from '../../src/store/index.ts';
import { logCollector, testApp } from '../helpers.ts';

let app: ReturnType<typeof testApp>;
afterEach(() => app.close());

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.any(String),
};

describe('the request body', () => {
  it('answers 400 for malformed JSON', async () => {
    app = testApp();

    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': 'application/json' },
      payload: '{"handle": "worf", "message": ',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is not valid JSON',
    });
  });

  it('says a body with a __proto__ key is refused for that key, not that it is invalid JSON', async () => {
    app = testApp();

    for (const payload of [
      '{"handle": "worf", "message": "hi", "__proto__": {"admin": true}}',
      '{"handle": "worf", "message": "hi", "constructor": {"prototype": {"admin": true}}}',
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'The request body has a "__proto__" or "constructor.prototype" key, which is refused (it could change how the server behaves); rename it',
      });
    }
  });

  it('answers 400 for an empty body sent as JSON', async () => {
    app = testApp();

    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is empty; send a JSON object',
    });
  });

  it('answers 400 naming body when no body is sent at all', async () => {
    app = testApp();

    const response = await app.inject({ method: 'POST', url: '/api/activities' });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual({ body: 'must be an object' });
  });

  it.each([
    ['text/plain', 'handle=worf'],
    ['application/x-www-form-urlencoded', 'handle=worf&message=hi'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\nhi\r\n--x--'],
    ['application/xml', '<activity/>'],
  ])('answers 415 for a %s body', async (contentType, payload) => {
    app = testApp();

    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': contentType },
      payload,
    });

    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Content-Type must be application/json',
    });
  });

  it('accepts JSON with a charset parameter', async () => {
    app = testApp();

    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ handle: 'worf', message: 'hi' }),
    });

    expect(response.statusCode).toBe(201);
  });

  it('reads a body of 16384 bytes but answers 413 for one byte more', async () => {
    app = testApp();
    const sized = (bytes: number) => {
      const shell = JSON.stringify({ handle: 'worf', message: '' });
      return JSON.stringify({ handle: 'worf', message: 'x'.repeat(bytes - shell.length) });
    };
    const send = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { 'content-type': 'application/json' },
        payload,
      });

    const atLimit = await send(sized(16_384));
    const overLimit = await send(sized(16_385));

    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.json().fields).toEqual({ message: 'must be at most 280 characters' });
    expect(overLimit.statusCode).toBe(413);
    expect(overLimit.json()).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The request body is larger than the 16384 bytes allowed',
    });
  });
});

describe('unknown routes and URLs', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/api/nope'],
    ['GET', '/api/activities'],
    ['POST', '/api/health-check'],
    ['DELETE', '/api/activities/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ] as const)('answers %s %s with a JSON 404 naming the route', async (method, url) => {
    app = testApp();

    const response = await app.inject({ method, url });

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `No route matches ${method} ${url}`,
    });
  });

  it('leaves the query string out of the 404 message', async () => {
    app = testApp();

    const response = await app.inject({ method: 'GET', url: '/nope?token=abc' });

    expect(response.json().message).toBe('No route matches GET /nope');
  });

  it('answers 400 for a badly percent-encoded URL', async () => {
    app = testApp();

    const response = await app.inject({ method: 'GET', url: '/api/activities/%E0%A4%A' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The URL is not correctly percent-encoded',
    });
  });

  it('answers 414 without echoing a path segment over 100 characters', async () => {
    app = testApp();

    const response = await app.inject({ method: 'GET', url: `/api/activities/${'x'.repeat(5000)}` });

    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({
      statusCode: 414,
      error: 'URI Too Long',
      message: 'A path segment of the URL is longer than 100 characters',
    });
  });
});

describe('server errors', () => {
  const secret = 'connect ECONNREFUSED 10.0.4.17:443 (table prod-activities-7f3a)';
  const failing: ActivityStore = {
    list: () => Promise.reject(new Error(secret)),
    get: () => Promise.reject(new Error(secret)),
    create: () => Promise.reject(new Error(secret)),
    close: async () => {},
  };

  it.each([
    ['GET', '/api/activities/home', undefined],
    ['GET', '/api/activities/01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined],
    ['POST', '/api/activities', { handle: 'worf', message: 'hi' }],
  ] as const)('%s %s answers 500 with a plain message and logs the cause', async (method, url, payload) => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'error' }, { store: failing, logStream: logs.stream });

    const response = await app.inject({ method, url, payload, headers: { 'x-request-id': 'trace-500' } });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side; please try again later',
    });
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        reqId: 'trace-500',
        err: expect.objectContaining({
          message: secret,
          stack: expect.stringContaining(`Error: ${secret}\n    at `),
        }),
      }),
    );
  });

  it('logs the request of a server error with its secrets redacted', async () => {
    const logs = logCollector();
    app = testApp({ LOG_LEVEL: 'error' }, { store: failing, logStream: logs.stream });

    await app.inject({
      method: 'GET',
      url: '/api/activities/home',
      headers: { authorization: 'Bearer sk-live-123', cookie: 'session=s3cr3t', 'user-agent': 'vitest' },
    });

    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('s3cr3t');
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({
          method: 'GET',
          url: '/api/activities/home',
          headers: expect.objectContaining({
            authorization: '[redacted]',
            cookie: '[redacted]',
            'user-agent': 'vitest',
          }),
        }),
      }),
    );
  });
});

describe('nothing a client sends gets a 5xx', () => {
  const hostile: [string, object][] = [
    ['a huge number as handle', { handle: 1e308, message: 'hi' }],
    ['a huge integer literal', { raw: '{"handle":"worf","message":"hi","n":1' + '0'.repeat(400) + '}' }],
    ['deeply nested arrays', { raw: '['.repeat(5000) + ']'.repeat(5000) }],
    [
      'deeply nested objects as message',
      { raw: '{"handle":"worf","message":' + '{"a":'.repeat(1000) + '1' + '}'.repeat(1001) },
    ],
    ['a __proto__ key', { raw: '{"handle":"worf","message":"hi","__proto__":{"admin":true}}' }],
    [
      'a constructor.prototype key',
      { raw: '{"handle":"worf","message":"hi","constructor":{"prototype":{"x":1}}}' },
    ],
    ['booleans', { handle: true, message: false }],
    ['unicode handle', { handle: '𝔴𝔬𝔯𝔣', message: 'hi' }],
    ['right-to-left override', { handle: 'worf', message: '\u202Eevil' }],
    ['null bytes everywhere', { 'hand\u0000le': 'w\u0000orf', message: '\u0000' }],
    ['escaped lone surrogates', { raw: '{"handle":"worf","message":"\\udfff\\ud800"}' }],
    [
      'invalid UTF-8 bytes',
      { raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1') },
    ],
    ['a top-level string', { raw: '"just a string"' }],
    ['a BOM before JSON', { raw: '\uFEFF{"handle":"worf","message":"hi"}' }],
    ['duplicate keys', { raw: '{"handle":"worf","handle":["x"],"message":"hi"}' }],
  ];

  it.each(hostile)('POST with %s answers 4xx or 201 with a JSON body', async (_, input) => {
    app = testApp();
    const payload = 'raw' in input ? (input.raw as string) : JSON.stringify(input);

    const response = await app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { 'content-type': 'application/json' },
      payload,
    });

    expect(response.statusCode).toBeLessThan(500);
    expect(response.json()).toEqual(
      response.statusCode === 201 ? expect.any(Object) : expect.objectContaining(ERROR_SHAPE),
    );
  });

  it.each([
    '/api/activities/home?limit=1e999',
    '/api/activities/home?limit=0x10',
    '/api/activities/home?limit=%00',
    '/api/activities/home?limit[]=1',
    '/api/activities/home?before=a&before=b',
    '/api/activities/home?before=%F0%9F%96%96',
    '/api/activities/home?__proto__=1&constructor=2',
    '/api/activities/%2e%2e%2fhealth-check',
    '/api/activities/%00',
    '/api/activities/🖖',
    '/api/activities/home?' + 'a=1&'.repeat(2000),
  ])('GET %s answers 4xx or 200 with a JSON body', async (url) => {
    app = testApp();

    const response = await app.inject({ method: 'GET', url });

    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });
});
