import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { useConfigFiles } from '../support/config-files.ts';

const SOURCES = path.resolve(import.meta.dirname, '../../src/index.ts');
/**
 * The reference config, importing berth by path and naming its services' folders by path, so that
 * it loads, and checks, from a folder outside the repo.
 */
const REFERENCE = readFileSync(REFERENCE_FILE, 'utf8')
  .replace("from 'berth'", `from '${SOURCES}'`)
  .replace(
    /context: '\.\/(\w+)'/g,
    (_, folder: string) => `context: '${path.join(path.dirname(REFERENCE_FILE), folder)}'`,
  );

const { configFile, loadFailure } = useConfigFiles('berth-isolation-');

// A config is code that berth runs: it must not decide berth's exit code or its output.
describe('a config that exits, hangs or prints', () => {
  afterEach(() => {
    delete process.env.BERTH_CONFIG_TIMEOUT_MS;
  });

  it.each([0, 1])(
    'refuses a config that calls process.exit(%i) while loading: exit 2, not its code',
    async (code) => {
      const file = configFile(`process.exit(${code});\n${REFERENCE}`);
      expect(await loadFailure(file)).toContain(`the config exited while loading (process.exit(${code}))`);
      const run = await runBerth(['check', '--config', file], { cwd: os.tmpdir() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('the config exited while loading');
    },
  );

  it('refuses a config that exits later, from a timer, without losing the config it exported', async () => {
    // The exit never runs: the config's work ends when its export has been read.
    const file = configFile(`setTimeout(() => process.exit(0), 300);\n${REFERENCE}`);
    expect((await loadConfig(file)).app).toBe('cruddur');
  });

  it('stops a config still loading after the bound, even in a busy loop, and names an await that can never settle', async () => {
    // Long enough that a busy machine still compiles the file inside it; set for this test only, so
    // the berth processes later tests start do not inherit it.
    process.env.BERTH_CONFIG_TIMEOUT_MS = '3000';
    try {
      const started = Date.now();
      const busy = await loadFailure(configFile(`while (true) {}\n${REFERENCE}`));
      expect(busy, busy).toContain('the config timed out');
      // Nothing left to wait for: Node ends the thread at once, and berth says why it hangs.
      const pending = await loadFailure(configFile(`await new Promise(() => {});\n${REFERENCE}`));
      expect(pending, pending).toContain(
        'the config never finished loading: its top-level await waits on a promise that can never settle',
      );
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      delete process.env.BERTH_CONFIG_TIMEOUT_MS;
    }
  });

  it('keeps check --json valid: what the config prints goes to stderr', async () => {
    const file = configFile(
      `console.log('hello from the config');\nprocess.stdout.write('raw\\n');\n${REFERENCE}`,
    );
    const run = await runBerth(['check', '--json', '--config', file], { cwd: os.tmpdir() });
    expect(run.code).toBe(0);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    expect(run.stderr).toContain('hello from the config');
    expect(run.stderr).toContain('raw');
  });
});

// What the file must export, said once, instead of five "app: is required".
describe('a config file that exports the wrong thing', () => {
  it('names the exports of a file with no default export', async () => {
    const file = configFile(
      REFERENCE.replace('export default defineConfig(', 'export const config = defineConfig('),
    );
    const message = await loadFailure(file);
    expect(message).toContain("has no default export (it exports 'config' by name)");
    expect(message).toContain('export default defineConfig({ ... })');
    expect(message).not.toContain('is required');
    const empty = await loadFailure(configFile('const app = 1;\n'));
    expect(empty).toContain(
      'exports nothing (or an empty object); berth reads the config from the default export',
    );
  });

  it('refuses a default export that is a Promise, and loads one that awaits at top level', async () => {
    const promise = configFile(
      REFERENCE.replace('export default defineConfig(', 'export default Promise.resolve('),
    );
    expect(await loadFailure(promise)).toContain('its default export is a Promise');
    // Outside any package a .ts file is CommonJS to tsx; a config is an ES module all the same.
    const awaiting = configFile(`const domain = await Promise.resolve('cruddur.example.com');\n${REFERENCE}`);
    expect((await loadConfig(awaiting)).app).toBe('cruddur');
    expect(readdirSync(path.dirname(awaiting))).toEqual(['berth.config.ts']);
  });

  it('refuses a default export that is not data', async () => {
    const file = configFile('export default { app: "x", build: () => 1 };\n');
    expect(await loadFailure(file)).toContain('is not plain data');
  });

  it('says that --config names a folder, and which file to pass', async () => {
    const folder = path.dirname(configFile(REFERENCE));
    expect(await loadFailure(folder)).toContain(
      `is a folder, not a config file; pass the file: --config ${path.join(folder, 'berth.config.ts')}`,
    );
  });

  it("says what to do about an import that cannot be found, without Node's require stack", async () => {
    const missing = await loadFailure(configFile(`import 'no-such-package-here';\n${REFERENCE}`));
    expect(missing).toContain("Cannot find module 'no-such-package-here'");
    expect(missing).toContain('`npm install no-such-package-here`');
    expect(missing).not.toContain('Require stack');
    expect(missing).not.toContain('?namespace=');
    // The reference config copied out of the repo: 'berth' itself is not installed there.
    const berth = await loadFailure(configFile(readFileSync(REFERENCE_FILE, 'utf8')));
    expect(berth).toContain("Cannot find module 'berth'");
    expect(berth).toContain('npm install --save-dev berth');
  });
});
