import path from 'node:path';

// Apart from load.ts (which loads the schema and zod): commands that only find a run's state folder
// (`berth status`, `down`) need these and nothing else.

export const DEFAULT_CONFIG_FILE = 'berth.config.ts';

/**
 * berth's own folder next to the config: what `berth up` makes (src/local/state/state-dir.ts) and
 * what `berth check --images` writes (images/).
 */
export const STATE_DIR_NAME = '.berth';

/**
 * The folder a config's relative paths start from, and where `berth up` keeps its state: the
 * config file's own folder. Known from the file's path alone, before (or without) loading it.
 */
export function configBaseDir(file: string, cwd = process.cwd()): string {
  return path.dirname(path.resolve(cwd, file));
}
