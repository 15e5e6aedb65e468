import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DEFAULTS } from './defaults.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { normalizeConfig, type ResolvedConfig } from './normalize.ts';
import { configBaseDir, DEFAULT_CONFIG_FILE } from './config-file.ts';
import { configFileIssues, type ConfigFiles } from './paths.ts';
import { runConfigFile, type ConfigFileResult } from './run-config-file.ts';
import { BerthConfigSchema, NAME_PATTERN } from './schema.ts';
import { issueKey, stageIssues } from './stages.ts';
import { kindOf, UsageError } from '../shared/errors.ts';
import { stackLimitIssues } from '../infra/stack-limits.ts';

export { configBaseDir, DEFAULT_CONFIG_FILE } from './config-file.ts';

/** What a command line adds to the config file. */
export interface LoadOptions {
  /** The stage to deploy or inspect (`--stage`). @default the config's defaultStage, else 'prod' */
  readonly stage?: string;
  /**
   * The folders and files the command will read, checked as the config loads (a config error,
   * exit 2, before anything starts). @default none: commands that read no folder need none there
   */
  readonly files?: ConfigFiles;
}

/** A bad `--stage` is the user's input, not the file's: a usage error (exit 2) before anything loads. */
export function validateStage(stage: string): string {
  // Named like the config's own app, services and tables: the stage becomes part of AWS resource names.
  if (!NAME_PATTERN.test(stage)) {
    throw new UsageError(
      `--stage ${JSON.stringify(stage)}: a stage must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names), e.g. --stage staging`,
    );
  }
  return stage;
}

/** Validates a config object and applies defaults. Throws `ConfigError` listing every problem. */
export function parseConfig(raw: unknown, file: string, options: LoadOptions = {}): ResolvedConfig {
  if (options.stage !== undefined) validateStage(options.stage);
  return checked(normalizeConfig(validate(raw, file), configBaseDir(file), options), file, options);
}

/**
 * What the schema cannot see: a config that would break a CloudFormation limit, from a model of
 * what the stacks hold (src/infra/stack-limits.ts), and the folders and files the command will read;
 * refused here, before a synth, a build or a deploy reaches them.
 */
function checked(config: ResolvedConfig, file: string, options: Pick<LoadOptions, 'files'>): ResolvedConfig {
  // One error with every problem, as the schema's: a config over a limit with a missing folder too
  // is told both at once.
  const issues = [
    ...stackLimitIssues(config),
    ...(options.files ? configFileIssues(config, options.files) : []),
  ];
  if (issues.length > 0) throw new ConfigError(file, issues);
  return config;
}

/** The config checked whole, every declared stage included; `ConfigError` lists every problem. */
function validate(raw: unknown, file: string): z.output<typeof BerthConfigSchema> {
  // zod 4 keeps the offending value on an issue only when asked; toIssue shows it, shortened.
  const result = BerthConfigSchema.safeParse(raw, { reportInput: true });
  const issues = result.success ? [] : result.error.issues;
  // Every declared stage too, as the config it makes: a problem only a stage has names the stage.
  const all = [...issues, ...stageIssues(raw, new Set(issues.map(issueKey)))];
  if (!result.success || all.length > 0) throw new ConfigError(file, all.flatMap(toIssues));
  return result.data;
}

/** Loads `berth.config.ts` (or .js/.mjs/.json), validates it and applies defaults. */
export async function loadConfig(
  file: string = DEFAULT_CONFIG_FILE,
  cwd = process.cwd(),
  options: LoadOptions = {},
): Promise<ResolvedConfig> {
  if (options.stage !== undefined) validateStage(options.stage);
  const absolute = path.resolve(cwd, file);
  return parseConfig(await readConfigFile(file, absolute), absolute, options);
}

/** Every stage of a config, from one run of its file. */
export interface EveryStage {
  /** False when the config has no `stages`: then `configs` is its one stage (defaultStage, else 'prod'). */
  readonly declared: boolean;
  /** Each declared stage resolved as `--stage NAME` resolves it, in the order written. */
  readonly configs: readonly ResolvedConfig[];
  /** The stage a command acts on without `--stage`; undefined when that must be given (no declared default). */
  readonly defaultStage: string | undefined;
}

/** Loads the config once and resolves each stage it declares (`berth check` without `--stage`). */
export async function loadEveryStage(
  file: string = DEFAULT_CONFIG_FILE,
  cwd = process.cwd(),
  options: Pick<LoadOptions, 'files'> = {},
): Promise<EveryStage> {
  const absolute = path.resolve(cwd, file);
  const parsed = validate(await readConfigFile(file, absolute), absolute);
  const baseDir = configBaseDir(absolute);
  if (!parsed.stages) {
    const config = checked(normalizeConfig(parsed, baseDir), absolute, options);
    return { declared: false, configs: [config], defaultStage: config.stage };
  }
  const names = Object.keys(parsed.stages);
  const fallback = parsed.defaultStage ?? DEFAULTS.stage;
  return {
    declared: true,
    configs: names.map((stage) => checked(normalizeConfig(parsed, baseDir, { stage }), absolute, options)),
    defaultStage: names.includes(fallback) ? fallback : undefined,
  };
}

/** The value a config file exports, or `ConfigError` saying why there is none. */
async function readConfigFile(file: string, absolute: string): Promise<unknown> {
  if (!existsSync(absolute)) {
    throw new ConfigError(file, [
      {
        path: '',
        message: `no config file at ${absolute}; pass --config FILE or create ${DEFAULT_CONFIG_FILE} (see examples/cruddur/berth.config.ts)`,
      },
    ]);
  }
  if (statSync(absolute).isDirectory()) {
    const inside = path.join(file, DEFAULT_CONFIG_FILE);
    throw new ConfigError(file, [
      {
        path: '',
        message: `is a folder, not a config file; pass the file: --config ${inside}${existsSync(path.join(absolute, DEFAULT_CONFIG_FILE)) ? '' : ` (there is no ${DEFAULT_CONFIG_FILE} in it yet)`}`,
      },
    ]);
  }
  const loaded = await runConfigFile(absolute);
  switch (loaded.kind) {
    case 'loaded':
      return loaded.value;
    case 'failed':
      throw new ConfigError(file, [{ path: '', message: `cannot load the file: ${loadFailure(loaded)}` }]);
    default:
      throw new ConfigError(file, [{ path: '', message: whyNotLoaded(loaded) }]);
  }
}

/** What a config file must do, said for each way it did not. */
const WHAT_TO_EXPORT = 'write `export default defineConfig({ ... })`';
function whyNotLoaded(result: Exclude<ConfigFileResult, { kind: 'loaded' | 'failed' }>): string {
  switch (result.kind) {
    case 'no-default': {
      const named = result.named.map((n) => `'${n}'`).join(', ');
      const what = result.empty
        ? 'exports nothing (or an empty object)'
        : `has no default export${named ? ` (it exports ${named} by name)` : ''}`;
      return `${what}; berth reads the config from the default export: ${WHAT_TO_EXPORT}`;
    }
    case 'promise':
      return 'its default export is a Promise; export the config object itself (top-level await works: `export default defineConfig(await ...)`)';
    case 'not-data':
      return 'its default export is not plain data (a function, a class instance or a symbol in it); a config holds only strings, numbers, booleans, arrays and objects';
    case 'exited':
      return `the config exited while loading (process.exit(${result.exitCode})); a config only exports its settings: remove the exit, and throw an Error to refuse to load`;
    case 'unsettled':
      return 'the config never finished loading: its top-level await waits on a promise that can never settle; a config only exports its settings';
    case 'timed-out':
      return `the config timed out: still loading after ${Math.round(result.timeoutMs / 1000)} s (a loop, or a promise that never settles?); a config only exports its settings`;
  }
}

const MAX_LOAD_FAILURE_LINES = 5;

/**
 * The loader's reason, trimmed to what helps: esbuild's first line is only "Transform failed with 1
 * error:", and the lines after it say where (file:line:column) and what. A stack says nothing to a
 * user, nor does Node's "Require stack" of loader files, and a long message is cut so that one bad
 * file cannot flood the terminal. A missing package gets what to do about it.
 */
function loadFailure(failure: { message: string; code?: string }): string {
  let message = failure.message;
  const requireStack = message.indexOf('\nRequire stack:');
  if (requireStack !== -1) message = message.slice(0, requireStack);
  const lines = message
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at\s/.test(line))
    .slice(0, MAX_LOAD_FAILURE_LINES)
    // tsx marks the files it loads with a query; the user wrote the path without it.
    .map((line) => line.trim().replace(/\?namespace=[\w.-]+/g, ''));
  const missing = /^Cannot find (?:module|package) '([^']+)'/.exec(lines[0] ?? '');
  if (missing && failure.code && /MODULE_NOT_FOUND/.test(failure.code)) lines.push(hintFor(missing[1]!));
  // Indented under the issue line, the way ConfigError lists issues.
  return lines.join('\n    ');
}

/** What to do about an import the config file makes that cannot be found. */
function hintFor(specifier: string): string {
  if (specifier === 'berth')
    return "the config imports 'berth', which is not installed where the config is: run `npm install --save-dev berth` in the config's folder (or its project), or drop the import and `defineConfig` (a plain `export default { ... }` works too)";
  if (specifier.startsWith('.') || specifier.startsWith('/'))
    return 'check the path of this import, relative to the config file';
  return `install the package where the config is: \`npm install ${specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')}\``;
}

function toIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  // zod says only 'Invalid input' when no form of a value fits, unless the schema says what the forms
  // are; otherwise the form that came closest (fewest problems) says what is wrong with it.
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message === 'Invalid input') {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) => toIssues({ ...inner, path: [...issue.path, ...inner.path] }));
  }
  return [toIssue(issue)];
}

function toIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const where = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: where,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`,
      };
    case 'invalid_key':
      // A bad service or table name: the name's own rule says what it must be, zod's says only 'Invalid key in record'.
      return { path: where, message: issue.issues[0]?.message ?? issue.message };
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
