// @vitest-environment node
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { httpOrigin } from '../../src/server/http-origin.ts';
import { bundleNjs } from '../../src/server/nginx/generate.ts';
import { isPageNavigation } from '../../src/server/responses.ts';

// These functions run in Node.js and in njs (no URL class, no node:path), so each is held to
// the Node.js API it stands in for.

describe('httpOrigin', () => {
  it.each([
    'https://api.example.com',
    'https://api.example.com/',
    'HTTPS://API.Example.COM/v1?x=1#y',
    'https://api.example.com:443/',
    'http://api.example.com:80',
    'http://127.0.0.1:4567',
    'http://user:secret@api.example.com:8080/x',
    'http://[::1]:4567/',
    'https://api.example.com:00443',
    'http://localhost',
  ])('gives %s the origin new URL() gives it', (url) => {
    expect(httpOrigin(url)).toBe(new URL(url).origin);
  });

  it.each([
    'ftp://files.example.com',
    'api.example.com',
    'javascript:alert(1)',
    'http://',
    'https://a b.com',
    'http://x:99999',
  ])('refuses %s', (url) => {
    expect(httpOrigin(url)).toBeUndefined();
  });
});

describe('isPageNavigation', () => {
  it.each(['/a', '/a.js', '/a/b.c/d', '/.hidden', '/a.', '/a/..', '/a/...', '/x.tar.gz', '/dir.d/', '/a/b/'])(
    'treats %s as having an extension exactly when path.posix.extname does',
    (pathname) => {
      expect(isPageNavigation('GET', pathname, 'text/html')).toBe(path.posix.extname(pathname) === '');
    },
  );

  it('needs GET or HEAD, a path outside /assets/ and a browser that accepts HTML', () => {
    expect(isPageNavigation('HEAD', '/activities?x=a.b', 'text/html')).toBe(true);
    expect(isPageNavigation('POST', '/activities', 'text/html')).toBe(false);
    expect(isPageNavigation('GET', '/assets/chunk', 'text/html')).toBe(false);
    expect(isPageNavigation('GET', '/activities', 'application/json')).toBe(false);
    expect(isPageNavigation('GET', '/activities', undefined)).toBe(false);
  });
});

describe('the njs bundle', () => {
  it('ends in the `export default` njs reads, with no syntax njs 0.7 lacks', async () => {
    const code = await bundleNjs();

    expect(code).toMatch(/\nexport default [\w$]+;\n$/);
    expect(code).not.toMatch(/\?\?|\?\.[a-z(]|\bclass\b/);
  });
});
