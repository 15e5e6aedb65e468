import { existsSync, readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { ResolvedConfig, SecretRef } from '../../config/index.ts';
import { kindOf, UsageError } from '../../shared/errors.ts';
import { MissingSecretError, type SecretProblem } from '../errors.ts';
import type { StatePaths } from '../state/state-dir.ts';

/**
 * Values for each service's secrets, read from `.berth/secrets.local.json`: keys are the SSM
 * parameter or Secrets Manager secret names the config gives, so one file stands in for both stores.
 * A value is a string; a Secrets Manager secret may also be a JSON object (or a string holding one),
 * which is what a secret with `field` reads its field from. Throws MissingSecretError naming every
 * secret that is missing or not in that form.
 */
export function localSecrets(
  config: ResolvedConfig,
  paths: StatePaths,
): Record<string, Record<string, string>> {
  const needed = config.services.flatMap((s) =>
    Object.entries(s.secrets).map(([variable, ref]) => ({ service: s.id, variable, ref })),
  );
  const out: Record<string, Record<string, string>> = Object.fromEntries(
    config.services.map((s) => [s.id, {}]),
  );
  if (needed.length === 0) return out;
  const file = readJsonObject(paths.secrets, SECRETS_EXAMPLE) ?? {};
  const problems: SecretProblem[] = [];
  for (const { service, variable, ref } of needed) {
    const found = secretValue(file, ref);
    if (typeof found === 'string') out[service]![variable] = found;
    else
      problems.push({
        service,
        variable,
        key: ref.name,
        ...(ref.kind === 'secretsManager' && ref.field !== undefined ? { field: ref.field } : {}),
        ...found,
      });
  }
  if (problems.length > 0) throw new MissingSecretError(paths.secrets, problems);
  return out;
}

/** The secret's value, or where it falls short and what is there instead (by type, never by value). */
function secretValue(
  file: Record<string, unknown>,
  ref: SecretRef,
): string | Pick<SecretProblem, 'at' | 'found'> {
  const value = file[ref.name];
  if (ref.kind === 'secretsManager' && ref.field !== undefined) {
    if (value === undefined) return { at: 'key' };
    const object = typeof value === 'string' ? tryParse(value) : value;
    if (!isObject(object))
      return {
        at: 'key',
        found: typeof value === 'string' ? 'a string that holds no JSON object' : kindOf(value),
      };
    const field = object[ref.field];
    if (typeof field === 'string') return field;
    return field === undefined ? { at: 'field' } : { at: 'field', found: kindOf(field) };
  }
  if (typeof value === 'string') return value;
  // A whole Secrets Manager secret may be JSON; ECS hands it to the task as that JSON text.
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value === undefined ? { at: 'key' } : { at: 'key', found: kindOf(value) };
}

/**
 * Per-service variables for this machine only, from `.berth/environment.local.json`
 * (`{ "backend": { "ACTIVITIES_TABLE": "..." } }`), applied last.
 */
export function localOverrides(
  config: ResolvedConfig,
  paths: StatePaths,
): Record<string, Record<string, string>> {
  const file = readJsonObject(paths.environment, ENVIRONMENT_EXAMPLE) ?? {};
  const out: Record<string, Record<string, string>> = {};
  for (const [service, vars] of Object.entries(file)) {
    if (!config.services.some((s) => s.id === service))
      throw new UsageError(`${paths.environment}: '${service}' is not a service of this config`);
    if (!vars || typeof vars !== 'object' || Object.values(vars).some((v) => typeof v !== 'string'))
      throw new UsageError(`${paths.environment}: '${service}' must map variable names to strings`);
    out[service] = vars as Record<string, string>;
  }
  return out;
}

const SECRETS_EXAMPLE = '{"/app/DB_PASSWORD": "<value>", "app/api": {"token": "<value>"}}';
const ENVIRONMENT_EXAMPLE = '{"<service>": {"<VARIABLE>": "<value>"}}';

/** The file's one JSON object, or undefined when there is no file. Bad JSON is the user's to fix: exit 2. */
function readJsonObject(file: string, example: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  // A byte order mark (some Windows editors write one) is not JSON, but not the user's mistake either.
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${file} is not valid JSON: ${jsonFailure(text)}; fix it so that it holds one JSON object, like ${example}`,
    );
  }
  if (!isObject(parsed))
    throw new UsageError(`${file} must hold one JSON object, like ${example}; it holds ${kindOf(parsed)}`);
  return parsed;
}

/**
 * Why the text is not JSON and where, as line and column, from jsonc-parser (strict: no comments,
 * no trailing commas). Not JSON.parse's message: V8 quotes the text around the error, which in the
 * secrets file may be a secret.
 */
function jsonFailure(text: string): string {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return 'it does not parse';
  // 'PropertyNameExpected' reads as 'property name expected'.
  const reason = printParseErrorCode(first.error)
    .replace(/(?<=[a-z])(?=[A-Z])/g, ' ')
    .toLowerCase();
  const before = text.slice(0, first.offset).split('\n');
  return `${reason} at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
