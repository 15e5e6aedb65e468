import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import type { LoadOptions, ResolvedConfig } from '../config/index.ts';
import { configBaseDir, DEFAULT_CONFIG_FILE } from '../config/config-file.ts';
import { statePaths, type StatePaths } from '../local/state/state-dir.ts';
import { UsageError } from '../shared/errors.ts';

// In a module of its own so that main.ts, which needs it for every run, loads nothing else with it.
export { EXIT } from './exit-codes.ts';

/** `--config FILE`, the same on every command that reads a config. */
export const configOption = () =>
  new Option('-c, --config <file>', 'deployment config').default(DEFAULT_CONFIG_FILE);

/** What `--stage` says on every command that takes it. */
export const STAGE_HELP =
  "the stage (deployed environment): its values from the config's stages, stacks and resources named with it (default: the config's defaultStage, else prod)";

/**
 * `--stage NAME`, the same on every command that acts on AWS or on one stage's values. No commander
 * default: without the flag the config's defaultStage applies, which only the loaded config knows.
 */
export const stageOption = (help = STAGE_HELP, flags = '-s, --stage <name>') => new Option(flags, help);

export async function loadStageConfig(
  flags: { config: string; stage?: string | undefined },
  options: Pick<LoadOptions, 'files'> = {},
): Promise<ResolvedConfig> {
  // Loaded on use: the schema and zod are for commands that read the config, not for status or down.
  const { loadConfig } = await import('../config/index.ts');
  return loadConfig(flags.config, process.cwd(), {
    ...(flags.stage === undefined ? {} : { stage: flags.stage }),
    ...options,
  });
}

/**
 * The state folder of the `berth up` for a config, found without loading the config (its
 * `baseDir` follows from the file's path), so status, restart and down still reach a run after its
 * config has been edited into something invalid, or removed. With neither a config nor a recorded
 * run there, the config's own error says what is wrong (a mistyped --config).
 */
export async function runState(configFile: string): Promise<StatePaths> {
  const paths = statePaths(configBaseDir(configFile));
  requireStateFolder(paths);
  if (!existsSync(path.resolve(configFile)) && !existsSync(paths.supervisor)) {
    const { loadConfig } = await import('../config/index.ts');
    await loadConfig(configFile);
  }
  return paths;
}

/** `.berth` is berth's folder next to the config: a file of that name is in the way, and said so. */
export function requireStateFolder(paths: StatePaths): void {
  if (existsSync(paths.dir) && !statSync(paths.dir).isDirectory())
    throw new UsageError(
      `${paths.dir} is a file, but berth keeps its state (certificates, logs, the running supervisor) in a folder of that name next to the config; move the file away`,
    );
}

const PATH_PROBLEMS: Record<string, string> = {
  ENOENT: 'a folder on the way does not exist',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted there',
  EROFS: 'a read-only file system',
};

/** An --out value that names nothing is a mistake, not a request for a temporary folder or stdout. */
export function requirePath(flag: string, given: string | undefined): void {
  if (given !== undefined && given.trim() === '')
    throw new UsageError(`${flag} is empty; give a path, or leave the flag out for the default`);
}

/**
 * The folder an --out flag names, checked and its first missing folder made before anything is
 * written: Node's recursive mkdir loops forever where a pseudo file system (/proc) answers ENOENT
 * to every mkdir, and a path through a file or a folder that cannot be written is the user's to fix.
 */
export function prepareOutFolder(flag: string, given: string): void {
  requirePath(flag, given);
  let existing = path.resolve(given);
  let firstMissing: string | undefined;
  while (!existsSync(existing)) {
    firstMissing = existing;
    existing = path.dirname(existing);
  }
  if (!statSync(existing).isDirectory())
    throw new UsageError(`${flag} ${given}: ${PATH_PROBLEMS.ENOTDIR}; choose another path`);
  if (firstMissing === undefined) return;
  try {
    mkdirSync(firstMissing);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = code === 'ENOENT' ? 'no folder can be made there' : (PATH_PROBLEMS[code] ?? code);
    throw new UsageError(`${flag} ${given}: ${reason}; choose another path`, { cause: err });
  }
}

/**
 * A file-system error on the path a flag gave (`--out`) that choosing another path fixes, as a
 * usage error that names the flag and the path; any other error (a full disk) is returned as it is.
 */
export function pathFlagError(err: unknown, flag: string, given: string): unknown {
  const { code, path: failed } = err as NodeJS.ErrnoException;
  const reason = code ? PATH_PROBLEMS[code] : undefined;
  const relative = failed === undefined ? '..' : path.relative(path.resolve(given), path.resolve(failed));
  const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
  return reason && inside
    ? new UsageError(`${flag} ${given}: ${reason}; choose another path`, { cause: err })
    : err;
}
