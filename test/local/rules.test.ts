import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { edgeRules, rewriteDomain, route } from '../../src/local/index.ts';

function config(services: Record<string, { host: string; paths?: string[] } | undefined>) {
  return parseConfig(
    {
      app: 'shop',
      env: { account: '123456789012', region: 'us-east-1' },
      domain: 'shop.example.com',
      hostedZone: { id: 'Z0123456789SHOP', name: 'example.com' },
      services: Object.fromEntries(
        Object.entries(services).map(([id, r]) => [
          id,
          { image: { context: '.' }, port: 3000, healthCheck: { path: '/' }, ...(r ? { route: r } : {}) },
        ]),
      ),
    },
    path.join('/tmp', 'berth.config.ts'),
  );
}

describe('edge rules: the listener rules of the ALB for <app>.localhost', () => {
  const rules = edgeRules(
    config({
      web: { host: '@' },
      api: { host: 'api' },
      files: { host: '@', paths: ['/files/*'] },
      jobs: undefined,
    }),
  );

  it('replaces the domain by <app>.localhost and sends the apex host to the apex service', () => {
    expect(rules.domain).toBe('shop.localhost');
    expect(rules.fallback).toBe('web');
    // Rules with paths come first, as in the ALB listener's priorities.
    expect(rules.rules.map((r) => [r.service, r.host, r.paths])).toEqual([
      ['files', 'shop.localhost', ['/files/*']],
      ['api', 'api.shop.localhost', []],
    ]);
  });

  it.each([
    ['shop.localhost', '/', 'web'],
    ['SHOP.localhost:8443', '/cart', 'web'],
    ['api.shop.localhost:8443', '/v1/orders?x=1', 'api'],
    ['shop.localhost', '/files/a.png', 'files'],
    ['shop.localhost', '/Files/a.png', 'web'],
    // A name no route declares gets the 404, as the ALB's default action answers it.
    ['admin.shop.localhost', '/', undefined],
    ['localhost:8443', '/', undefined],
    ['shop.example.com', '/', undefined],
    ['evilshop.localhost', '/', undefined],
    [undefined, '/', undefined],
  ])('%s%s goes to %s', (host, url, service) => {
    expect(route(rules, host, url)).toBe(service);
  });

  it('answers 404 for every host when no service is routed (no default action)', () => {
    const internal = edgeRules(config({ jobs: undefined }));
    expect(internal).toEqual({ domain: 'shop.localhost', rules: [], fallback: undefined });
    expect(route(internal, 'shop.localhost', '/')).toBeUndefined();
  });
});

describe('public URLs in the environment point at the local edge', () => {
  it.each([
    ['https://shop.example.com', 'https://shop.localhost:8443'],
    ['https://api.shop.example.com/v1', 'https://api.shop.localhost:8443/v1'],
    ['http://shop.example.com:443/x', 'https://shop.localhost:8443/x'],
    [
      'https://shop.example.com,https://admin.shop.example.com',
      'https://shop.localhost:8443,https://admin.shop.localhost:8443',
    ],
    ['https://shop.example.community', 'https://shop.example.community'],
    ['production', 'production'],
  ])('%s -> %s', (value, expected) => {
    expect(rewriteDomain(value, 'shop.example.com', 'shop.localhost', 8443)).toBe(expected);
  });

  it('drops the port when the edge listens on 443', () => {
    expect(rewriteDomain('https://shop.example.com/', 'shop.example.com', 'shop.localhost', 443)).toBe(
      'https://shop.localhost/',
    );
  });
});
