import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * A project folder outside the repository with the given files, and `node_modules/berth` linked to
 * this checkout, so the config `berth init` writes (`import ... from 'berth'`) loads as it would
 * in a project that installed berth.
 */
export function project(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-init-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'berth'), 'dir');
  return dir;
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
