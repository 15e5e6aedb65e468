import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BerthConfig } from '../../src/config/index.ts';
import { localOverrides, localSecrets } from '../../src/local/environment/local-files.ts';
import { MissingSecretError, statePaths } from '../../src/local/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { flipConfig } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

type Secrets = NonNullable<BerthConfig['services'][string]['secrets']>;

/** The flip config with `secrets` on its one service, and its `.berth/` folder holding `files`. */
function setup(secrets: Secrets, files: { secrets?: string; environment?: string } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-local-files-'));
  dirs.push(dir);
  const paths = statePaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  if (files.secrets !== undefined) writeFileSync(paths.secrets, files.secrets);
  if (files.environment !== undefined) writeFileSync(paths.environment, files.environment);
  const config = flipConfig(dir, { secrets });
  return {
    paths,
    secrets: () => localSecrets(config, paths),
    overrides: () => localOverrides(config, paths),
  };
}

/** What `run` throws; fails the test when it returns. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected it to throw');
}

const TOKEN = { API_TOKEN: { secretsManager: 'flip/api', field: 'token' } };

describe('the advice for a missing secret is what the secrets file accepts', () => {
  it('asks for an object holding the field when a secret reads one field', () => {
    const local = setup(TOKEN, { secrets: '{}' });
    const error = thrown(local.secrets);
    expect(error).toBeInstanceOf(MissingSecretError);
    expect(error.message).toContain(
      'web: API_TOKEN needs field "token" of "flip/api"; add "flip/api": {"token": "<value>"}',
    );
    // Following the advice to the letter starts the task with the field's value.
    const entry = /add (.*)$/m.exec(error.message)![1]!.replace('<value>', 'abc');
    writeFileSync(local.paths.secrets, `{${entry}}`);
    expect(local.secrets()).toEqual({ web: { API_TOKEN: 'abc' } });
  });

  it('asks for the field alone when the secret is there without it, as an object or a JSON string', () => {
    for (const held of [{ other: 'x' }, JSON.stringify({ other: 'x' })]) {
      const local = setup(TOKEN, { secrets: JSON.stringify({ 'flip/api': held }) });
      expect(thrown(local.secrets).message).toContain(
        'web: API_TOKEN needs field "token" of "flip/api", which does not have it; add "token": "<value>" to "flip/api"',
      );
    }
    const local = setup(TOKEN, { secrets: JSON.stringify({ 'flip/api': '{"token": "abc"}' }) });
    expect(local.secrets()).toEqual({ web: { API_TOKEN: 'abc' } });
  });

  it('says a secret that reads a field needs a JSON object, when it holds a plain string', () => {
    const local = setup(TOKEN, { secrets: JSON.stringify({ 'flip/api': 'hunter2' }) });
    const error = thrown(local.secrets);
    expect(error.message).toContain(
      'web: API_TOKEN needs field "token" of "flip/api", a JSON object, but "flip/api" is a string that holds no JSON object; write "flip/api": {"token": "<value>"}',
    );
    expect(error.message).not.toContain('hunter2');
  });
});

describe('a secret of the wrong type is not called missing', () => {
  it('names the type it has, never its value', () => {
    const local = setup(
      { DB_PASSWORD: { ssm: '/flip/DB_PASSWORD' } },
      { secrets: JSON.stringify({ '/flip/DB_PASSWORD': 56781234 }) },
    );
    const error = thrown(local.secrets);
    expect(error).toBeInstanceOf(MissingSecretError);
    expect(error.message).toBe(
      `1 secret missing or wrong in ${local.paths.secrets} (a local file, never committed):\n` +
        '  web: DB_PASSWORD needs "/flip/DB_PASSWORD" to be a string, but it is a number; write "/flip/DB_PASSWORD": "<value>"',
    );
    expect(error.message).not.toContain('56781234');
  });

  it('names a field of the wrong type the same way', () => {
    const local = setup(TOKEN, { secrets: JSON.stringify({ 'flip/api': { token: 5 } }) });
    expect(thrown(local.secrets).message).toContain(
      'web: API_TOKEN needs field "token" of "flip/api" to be a string, but it is a number; write "token": "<value>" in "flip/api"',
    );
  });
});

describe('a local file that is not valid JSON', () => {
  it('is a usage error (exit 2) naming the file, the place, the reason and the fix', () => {
    const local = setup(
      { DB_PASSWORD: { ssm: '/flip/DB_PASSWORD' } },
      { secrets: '{\n  "/flip/DB_PASSWORD": "hunter2"\n  "/flip/other": "x"\n}\n' },
    );
    const error = thrown(local.secrets);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(error.message).toBe(
      `${local.paths.secrets} is not valid JSON: comma expected at line 3, column 3; ` +
        'fix it so that it holds one JSON object, like {"/app/DB_PASSWORD": "<value>", "app/api": {"token": "<value>"}}',
    );
  });

  it('gives the place of an unquoted value without quoting any of it', () => {
    const local = setup(
      { DB_PASSWORD: { ssm: '/flip/DB_PASSWORD' } },
      { secrets: '{\n  "/flip/DB_PASSWORD": hunter2\n}\n' },
    );
    const error = thrown(local.secrets);
    expect(error.message).toContain('is not valid JSON: invalid symbol at line 2, column 24;');
    // Not even its first character, which V8's own message would quote.
    expect(error.message).not.toMatch(/hunter2|'h'/);
  });

  it('reads a file that starts with a byte order mark, as some Windows editors write it', () => {
    const local = setup(
      { DB_PASSWORD: { ssm: '/flip/DB_PASSWORD' } },
      { secrets: '\uFEFF{"/flip/DB_PASSWORD": "hunter2"}' },
    );
    expect(local.secrets()).toEqual({ web: { DB_PASSWORD: 'hunter2' } });
  });

  it('is a usage error for the environment file too', () => {
    const local = setup({}, { environment: '{"web": {"A": "1",}}' });
    const error = thrown(local.overrides);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `${local.paths.environment} is not valid JSON: property name expected at line 1, column 19; ` +
        'fix it so that it holds one JSON object, like {"<service>": {"<VARIABLE>": "<value>"}}',
    );
  });

  it('says what a file holds when it is JSON but not one object', () => {
    const local = setup({}, { environment: '["web"]' });
    const error = thrown(local.overrides);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('must hold one JSON object, like {"<service>"');
    expect(error.message).toContain('it holds an array');
  });
});
