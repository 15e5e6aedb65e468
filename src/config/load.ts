import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { normalizeConfig, type ResolvedConfig } from './normalize.ts';
import { BerthConfigSchema } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'berth.config.ts';

/** Validates a config object and applies defaults. Throws `ConfigError` listing every problem. */
export function parseConfig(raw: unknown, file: string): ResolvedConfig {
  const result = BerthConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, result.error.issues.map(toIssue));
  return normalizeConfig(result.data, path.dirname(path.resolve(file)));
}

/** Loads `berth.config.ts` (or .js/.mjs/.json), validates it and applies defaults. */
export async function loadConfig(
  file: string = DEFAULT_CONFIG_FILE,
  cwd = process.cwd(),
): Promise<ResolvedConfig> {
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
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(file, [{ path: '', message: `cannot load the file: ${reason}` }]);
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
  return parseConfig(mod.default, absolute);
}

function toIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const where = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: where,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`,
      };
    case 'invalid_type':
      return {
        path: where,
        message:
          issue.input === undefined
            ? `is required (${issue.expected})`
            : `expected ${issue.expected}, got ${describe(issue.input)}`,
      };
    default:
      return { path: where, message: issue.message };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
