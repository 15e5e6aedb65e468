import { describe, expect, it } from 'vitest';
import { localImageRef } from '../../src/images/index.ts';
import { withoutCredentials } from '../../src/images/build.ts';
import { cruddur } from '../fixtures.ts';

describe('build naming and labels', () => {
  it('tags local images localhost/<app>/<service>:<tag>, the names berth check --images reads', () => {
    const config = cruddur();
    const backend = config.services.find((s) => s.id === 'backend')!;
    expect(localImageRef(config, backend)).toBe('localhost/cruddur/backend:latest');
    expect(localImageRef(config, backend, 'v1')).toBe('localhost/cruddur/backend:v1');
  });

  it('keeps tokens in a git remote out of the public source label', () => {
    expect(withoutCredentials('https://user:ghp_secret@github.com/acme/app.git')).toBe(
      'https://github.com/acme/app.git',
    );
    expect(withoutCredentials('https://github.com/acme/app.git')).toBe('https://github.com/acme/app.git');
    expect(withoutCredentials('git@github.com:acme/app.git')).toBe('git@github.com:acme/app.git');
  });
});
