import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { normalizeConfig, type ResolvedConfig } from './normalize.ts';
import { BerthConfigSchema } from './schema.ts';
import { kindOf, UsageError } from '../shared/errors.ts';

export const DEFAULT_CONFIG_FILE = 'berth.config.ts';

/**
 * The folder a config's relative paths start from, and where `berth up` keeps its state: the
 * config file's own folder. Known from the file's path alone, before (or without) loading it.
 */
export function configBaseDir(file: string, cwd = process.cwd()): string {
  return path.dirname(path.resolve(cwd, file));
}

/** What a command line adds to the config file. */
export interface LoadOptions {
  /** The stage to deploy or inspect (`--stage`). @default 'prod' */
  readonly stage?: string;
}

/** Names like the config's own (app, service, table): the stage becomes part of AWS resource names. */
const STAGE = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** A bad `--stage` is the user's input, not the file's: a usage error (exit 2) before anything loads. */
export function validateStage(stage: string): string {
  if (!STAGE.test(stage)) {
    throw new UsageError(
      `--stage ${JSON.stringify(stage)}: a stage must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names), e.g. --stage staging`,
    );
  }
  return stage;
}

/** Validates a config object and applies defaults. Throws `ConfigError` listing every problem. */
export function parseConfig(raw: unknown, file: string, options: LoadOptions = {}): ResolvedConfig {
  if (options.stage !== undefined) validateStage(options.stage);
  // zod 4 keeps the offending value on an issue only when asked; toIssue shows it, shortened.
  const result = BerthConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(file, result.error.issues.map(toIssue));
  return normalizeConfig(result.data, configBaseDir(file), options);
}

/** Loads `berth.config.ts` (or .js/.mjs/.json), validates it and applies defaults. */
export async function loadConfig(
  file: string = DEFAULT_CONFIG_FILE,
  cwd = process.cwd(),
  options: LoadOptions = {},
): Promise<ResolvedConfig> {
  if (options.stage !== undefined) validateStage(options.stage);
  const absolute = path.resolve(cwd, file);
  if (!existsSync(absolute)) {
    throw new ConfigError(file, [
      {
        path: '',
        message: `no config file at ${absolute}; pass --config FILE or create ${DEFAULT_CONFIG_FILE} (see examples/cruddur/berth.config.ts)`,
      },
    ]);
  }
  let mod: { default?: unknown };
  try {
    // tsx loads TypeScript configs without a build step, the way vite and vitest load theirs.
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as { default?: unknown };
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot load the file: ${loadFailure(err)}` }]);
  }
  // A .ts file outside an ESM package loads as CommonJS, which nests the export one level down.
  const nested = mod.default as { default?: unknown; __esModule?: boolean } | undefined;
  if (
    nested &&
    typeof nested === 'object' &&
    'default' in nested &&
    (nested.__esModule || Object.keys(nested).length === 1)
  ) {
    mod = nested;
  }
  if (mod.default === undefined) {
    throw new ConfigError(file, [
      { path: '', message: 'has no default export; write `export default defineConfig({ ... })`' },
    ]);
  }
  return parseConfig(mod.default, absolute, options);
}

const MAX_LOAD_FAILURE_LINES = 5;

/**
 * The loader's reason, trimmed to what helps: esbuild's first line is only "Transform failed with 1
 * error:", and the lines after it say where (file:line:column) and what. A stack says nothing to a
 * user, and a long message is cut so that one bad file cannot flood the terminal.
 */
function loadFailure(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err))
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at\s/.test(line))
    .slice(0, MAX_LOAD_FAILURE_LINES);
  // Indented under the issue line, the way ConfigError lists issues.
  return lines.map((line) => line.trim()).join('\n    ');
}

function toIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const where = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: where,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`,
      };
    case 'invalid_type': {
      // zod calls a map of names to values a record; in a config file it is written as an object.
      const expected = issue.expected === 'record' ? 'object' : issue.expected;
      if (issue.input === undefined) return { path: where, message: `is required (${expected})` };
      // A value written where a secret reference belongs may be the secret itself: name its type only.
      const got = issue.path.includes('secrets') ? kindOf(issue.input) : describe(issue.input);
      return {
        path: where,
        message:
          where === ''
            ? `expected an object, got ${got}; the config is one object: \`export default defineConfig({ ... })\`, or { ... } in a .json file`
            : `expected ${expected}, got ${got}`,
      };
    }
    default:
      return { path: where, message: issue.message };
  }
}

/** Longest string shown in a message; a config value is not a place for much text anyway. */
const MAX_SHOWN = 40;

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > MAX_SHOWN
      ? `${JSON.stringify(value.slice(0, MAX_SHOWN)).slice(0, -1)}…" (${value.length} characters)`
      : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  return kindOf(value);
}
