import { execFile } from 'node:child_process';
import path from 'node:path';
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

describe('image commands reject bad flags with exit 2', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const cli = (args: readonly string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'bin/berth.js'), ...args],
        { cwd: root },
        (error, _out, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });

  it.each([
    [['build', '--engine', 'rkt', '--config', 'examples/cruddur/berth.config.ts']],
    [['check', '--images', '--engine', 'rkt', '--config', 'examples/cruddur/berth.config.ts']],
    [['mirror']],
  ])('berth %j', async (args) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
