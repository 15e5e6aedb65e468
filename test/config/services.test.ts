import { describe, expect, it } from 'vitest';
import { requireService } from '../../src/config/index.ts';
import { buildImages } from '../../src/images/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cruddur } from '../fixtures.ts';

// Every place a user names a service answers a typo the same way: exit 2, the services there are.
describe('naming a service', () => {
  const config = cruddur((c) => ({
    ...c,
    services: {
      ...c.services,
      docs: {
        ...c.services.frontend!,
        image: { ref: `registry.example/docs@sha256:${'a'.repeat(64)}` },
        route: { host: 'docs' },
      },
    },
  }));

  it('returns the service a flag names', () => {
    expect(requireService(config, 'backend').port).toBe(4567);
  });

  it('refuses an unknown one with the flag as the user wrote it and the services there are', () => {
    expect(() => requireService(config, 'nope', { flag: '--scale nope=...' })).toThrow(UsageError);
    expect(() => requireService(config, 'nope', { flag: '--scale nope=...' })).toThrow(
      "--scale nope=...: no service 'nope' in this config (services: backend, docs, frontend)",
    );
  });

  it('lists only the services berth builds when the flag is about building', () => {
    expect(() => requireService(config, 'docs', { built: true })).toThrow(
      "no service 'docs' with image.context in this config (services: backend, frontend)",
    );
  });

  it('berth build --service with a typo is a usage error before anything is built', async () => {
    await expect(buildImages(config, { services: ['frontnd'] })).rejects.toThrow(UsageError);
    await expect(buildImages(config, { services: ['frontnd'] })).rejects.toThrow(
      "--service frontnd: no service 'frontnd' in this config",
    );
  });
});
