import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basesFor, buildImages, localImageRef } from '../../src/images/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { withoutCredentials } from '../../src/images/build.ts';
import { cruddur } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

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
  const cli = (args: readonly string[]) => runBerth(args, { cwd: root });

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

describe('bases per service', () => {
  // A stand-in for podman that records each build's arguments and writes the image id it is asked for.
  const FAKE_PODMAN = `#!/bin/sh
printf '%s\\n' "$@" > "$RECORD_DIR/build-$(basename "$(eval echo \\\${$#})")"
while [ $# -gt 0 ]; do
  if [ "$1" = --iidfile ]; then echo "sha256:${'0'.repeat(64)}" > "$2"; fi
  shift
done
`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-build-args-'));
  const savedPath = process.env.PATH;
  beforeAll(() => {
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'podman'), FAKE_PODMAN, { mode: 0o755 });
    process.env.PATH = `${path.join(dir, 'bin')}:${savedPath}`;
    process.env.RECORD_DIR = dir;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    delete process.env.RECORD_DIR;
    rmSync(dir, { recursive: true, force: true });
  });
  const buildArgs = (context: string) =>
    readFileSync(path.join(dir, `build-${context}`), 'utf8')
      .split('\n')
      .filter((_line, i, lines) => lines[i - 1] === '--build-arg' && /^(BUILD|BASE)_IMAGE=/.test(_line));

  it('gives a service its own bases and every other service the common ones', async () => {
    await buildImages(cruddur(), {
      revision: 'r',
      source: 's',
      baseImages: {
        build: 'reg/node-build@sha256:1',
        runtime: 'reg/node-runtime@sha256:2',
        services: { frontend: { build: 'reg/c-build@sha256:3', runtime: 'reg/nginx-runtime@sha256:4' } },
      },
    });

    expect(buildArgs('backend')).toEqual([
      'BUILD_IMAGE=reg/node-build@sha256:1',
      'BASE_IMAGE=reg/node-runtime@sha256:2',
    ]);
    expect(buildArgs('frontend')).toEqual([
      'BUILD_IMAGE=reg/c-build@sha256:3',
      'BASE_IMAGE=reg/nginx-runtime@sha256:4',
    ]);
  });

  it('takes a field a service does not set from the common bases', () => {
    expect(
      basesFor('frontend', { build: 'b', runtime: 'r', services: { frontend: { runtime: 'n' } } }),
    ).toEqual({
      build: 'b',
      runtime: 'n',
    });
    expect(basesFor('backend', { services: { frontend: { runtime: 'n' } } })).toEqual({});
  });

  it('refuses bases for a service the config does not have, as a usage error (exit 2)', async () => {
    const error = await buildImages(cruddur(), {
      baseImages: { services: { frontnd: { runtime: 'x' } } },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      exitCode: 2,
      message:
        "--base-image/--build-image frontnd=...: no service 'frontnd' with image.context in this config (services: backend, frontend)",
    });
  });
});

describe('berth build --base-image/--build-image [SERVICE=]REF', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const berth = (args: readonly string[]) =>
    runBerth(['build', '--config', 'examples/cruddur/berth.config.ts', ...args], { cwd: root });

  it.each([
    [
      ['--base-image', 'a@sha256:1', '--base-image', 'b@sha256:2'],
      /a base for every service is already given \(a@sha256:1\); name the service for the other: SERVICE=REF/,
    ],
    [
      ['--base-image', 'Front End=x'],
      /'Front End' is not a service id \(lower-case letters, digits and -\); write SERVICE=REF/,
    ],
    [['--build-image', 'frontend='], /no image after 'frontend='/],
    [
      ['--build-image', 'frontend=a', '--build-image', 'frontend=b'],
      /'frontend' already has a base \(a\); give each service once/,
    ],
    [
      ['--base-image', 'frontnd=x@sha256:1'],
      /^berth: --base-image\/--build-image frontnd=\.\.\.: no service 'frontnd' with image\.context in this config \(services: backend, frontend\)$/m,
    ],
  ])('%j exits 2 naming the problem and the fix', async (args, message) => {
    const { code, stderr } = await berth(args);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at |BERTH_DEBUG/);
    expect(code).toBe(2);
  });
});
