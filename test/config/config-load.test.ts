import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { configProblems, REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { NO_STACK, useConfigFiles } from '../support/config-files.ts';

const { configFile, loadFailure } = useConfigFiles('berth-load-');

describe('a config file that does not load', () => {
  it('says at which line and column a TypeScript config breaks, and why', async () => {
    const text = readFileSync(REFERENCE_FILE, 'utf8');
    const broken = text.replace("app: 'cruddur',", "app: 'cruddur' ,,,{");
    // esbuild stops at the second ',' (the first ends the property): its line (from 1) and column (from 0).
    const before = broken
      .slice(0, broken.indexOf("app: 'cruddur' ,") + "app: 'cruddur' ,".length)
      .split('\n');
    const file = configFile(broken);
    const message = await loadFailure(file);
    expect(message).toContain('cannot load the file');
    expect(message).toContain(
      `${file}:${before.length}:${before.at(-1)!.length}: ERROR: Expected identifier but found ","`,
    );
  });

  it('says at which line and column a JSON config breaks, and why', async () => {
    const file = configFile('{\n  "app": "cruddur",,\n}\n', 'berth.config.json');
    const message = await loadFailure(file);
    expect(message).toContain(`${file}:2:19: ERROR: Expected string in JSON but found ","`);
  });

  it('keeps the first lines of a long failure and none of its stack', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `reason line ${i + 1}`);
    const file = configFile(`throw new Error(${JSON.stringify(lines.join('\n'))});\n`);
    const message = await loadFailure(file);
    expect(message).toContain('cannot load the file: reason line 1\n    reason line 2');
    expect(message).toContain('reason line 5');
    expect(message).not.toContain('reason line 6');
    // A message that carries stack lines of its own, within the lines kept: they are dropped.
    const withStack = configFile(
      `throw new Error(${JSON.stringify('short reason\n    at load (/x/loader.js:1:1)\nafter it')});\n`,
    );
    const shown = await loadFailure(withStack);
    expect(shown).toContain('cannot load the file: short reason\n    after it');
  });

  it('exits 2 from the CLI with the place of the syntax error', async () => {
    const file = configFile("export default { app: 'cruddur' ,,,{ };\n");
    const { code, stderr } = await runBerth(['check', '--config', file], { cwd: os.tmpdir() });
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:1:33: ERROR: Expected identifier but found ","`);
    expect(stderr).not.toMatch(NO_STACK);
  });
});

describe('a value of the wrong type', () => {
  it('shows what was given instead of calling the field missing', () => {
    expect(configProblems((c) => (c.services.backend.port = '4567'))).toEqual([
      'services.backend.port: expected number, got "4567"',
    ]);
  });

  it('still calls a field that is not there missing', () => {
    expect(configProblems((c) => delete c.services.backend.healthCheck.path)).toEqual([
      'services.backend.healthCheck.path: is required (string)',
    ]);
  });

  it('shortens a long string to its first 40 characters', () => {
    const long = 'x'.repeat(200);
    expect(configProblems((c) => (c.services.backend.port = long))).toEqual([
      `services.backend.port: expected number, got "${'x'.repeat(40)}…" (200 characters)`,
    ]);
  });

  it('never shows a value written where secret references belong, only its type', () => {
    const found = configProblems((c) => (c.services.backend.secrets = 'hunter2-the-real-password'));
    expect(found).toEqual(['services.backend.secrets: expected object, got a string']);
  });

  it('names a config that is not an object and how to write one', async () => {
    const file = configFile('export default 42;\n');
    expect(await loadFailure(file)).toContain(
      'expected an object, got number 42; the config is one object: `export default defineConfig({ ... })`',
    );
  });
});
