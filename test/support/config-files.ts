import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

/** A line of a stack trace, which no config error may show a user. */
export const NO_STACK = /^\s+at\s/m;

/**
 * Config files written for a test file: each in a fresh folder outside any package (so a .ts file
 * loads as CommonJS, as a user's would outside a project), all removed after the file's tests.
 */
export function useConfigFiles(prefix = 'berth-config-'): {
  /** Writes `body` as `name` in a fresh folder and returns the file's path. */
  configFile(body: string, name?: string): string;
  /** The message of the ConfigError that loading `file` throws, which has no stack trace in it. */
  loadFailure(file: string): Promise<string>;
} {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  return {
    configFile(body, name = 'berth.config.ts') {
      const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
      folders.push(folder);
      const file = path.join(folder, name);
      writeFileSync(file, body);
      return file;
    },
    async loadFailure(file) {
      const error = await loadConfig(file).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).not.toMatch(NO_STACK);
      return message;
    },
  };
}
