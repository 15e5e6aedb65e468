import { describe, expect, it, vi } from 'vitest';

import {
  defaultBackendUrl,
  loadBackendUrl,
  resolveBackendUrl,
} from '../../src/app/config/resolve-backend-url.ts';

const page = { protocol: 'https:', host: 'example.com' };
const localPage = { protocol: 'https:', host: 'cruddur.localhost:8443' };

describe('defaultBackendUrl', () => {
  it('puts api. in front of the page host and keeps its scheme and port', () => {
    expect(defaultBackendUrl(page)).toBe('https://api.example.com');
    expect(defaultBackendUrl(localPage)).toBe('https://api.cruddur.localhost:8443');
    expect(defaultBackendUrl({ protocol: 'http:', host: 'localhost:3000' })).toBe(
      'http://api.localhost:3000',
    );
  });
});

describe('resolveBackendUrl', () => {
  it('uses backendUrl from the runtime config when it is set', () => {
    expect(resolveBackendUrl({ backendUrl: 'http://127.0.0.1:4567' }, page)).toBe('http://127.0.0.1:4567');
  });

  it('drops trailing slashes so paths join cleanly', () => {
    expect(resolveBackendUrl({ backendUrl: 'https://api.example.org//' }, page)).toBe(
      'https://api.example.org',
    );
  });

  it.each([
    ['no config', undefined],
    ['an empty object', {}],
    ['a null backendUrl', { backendUrl: null }],
    ['an empty backendUrl', { backendUrl: '' }],
    ['a blank backendUrl', { backendUrl: '   ' }],
    ['a backendUrl that is not a string', { backendUrl: 42 }],
    ['a config that is not an object', 'https://elsewhere.example'],
  ])('falls back to api.<host> given %s', (_case, config) => {
    expect(resolveBackendUrl(config, page)).toBe('https://api.example.com');
  });
});

describe('loadBackendUrl', () => {
  const respond = (status: number, body: string) => vi.fn(async () => new Response(body, { status }));

  it('reads /config.json without the HTTP cache', async () => {
    const fetch = respond(200, JSON.stringify({ backendUrl: 'https://api.staging.example.com' }));

    await expect(loadBackendUrl(fetch, page)).resolves.toBe('https://api.staging.example.com');
    expect(fetch).toHaveBeenCalledWith('/config.json', expect.objectContaining({ cache: 'no-store' }));
  });

  it('falls back to api.<host> when /config.json is missing', async () => {
    await expect(loadBackendUrl(respond(404, 'Not Found'), page)).resolves.toBe('https://api.example.com');
  });

  it('falls back to api.<host> when /config.json is not JSON', async () => {
    await expect(loadBackendUrl(respond(200, '<!doctype html>'), page)).resolves.toBe(
      'https://api.example.com',
    );
  });

  it('falls back to api.<host> when /config.json cannot be fetched', async () => {
    const fetch = vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')));

    await expect(loadBackendUrl(fetch, localPage)).resolves.toBe('https://api.cruddur.localhost:8443');
  });
});
