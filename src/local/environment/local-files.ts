import { existsSync, readFileSync } from 'node:fs';
import type { ResolvedConfig, SecretRef } from '../../config/index.ts';
import { BerthError } from '../../shared/errors.ts';
import { MissingSecretError } from '../errors.ts';
import type { StatePaths } from '../state/state-dir.ts';

/**
 * Values for each service's secrets, read from `.berth/secrets.local.json`: keys are the SSM
 * parameter or Secrets Manager secret names the config gives, so one file stands in for both stores.
 * Throws MissingSecretError naming every missing one.
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
  const file = readJsonObject(paths.secrets) ?? {};
  const missing: { service: string; variable: string; key: string }[] = [];
  for (const { service, variable, ref } of needed) {
    const value = secretValue(file, ref);
    if (value === undefined) missing.push({ service, variable, key: ref.name });
    else out[service]![variable] = value;
  }
  if (missing.length > 0) throw new MissingSecretError(paths.secrets, missing);
  return out;
}

function secretValue(file: Record<string, unknown>, ref: SecretRef): string | undefined {
  const value = file[ref.name];
  if (ref.kind === 'secretsManager' && ref.field !== undefined) {
    const object = typeof value === 'string' ? tryParse(value) : value;
    const field =
      object && typeof object === 'object' ? (object as Record<string, unknown>)[ref.field] : undefined;
    return typeof field === 'string' ? field : undefined;
  }
  if (typeof value === 'string') return value;
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : undefined;
}

/**
 * Per-service variables for this machine only, from `.berth/environment.local.json`
 * (`{ "backend": { "ACTIVITIES_TABLE": "..." } }`), applied last.
 */
export function localOverrides(
  config: ResolvedConfig,
  paths: StatePaths,
): Record<string, Record<string, string>> {
  const file = readJsonObject(paths.environment) ?? {};
  const out: Record<string, Record<string, string>> = {};
  for (const [service, vars] of Object.entries(file)) {
    if (!config.services.some((s) => s.id === service))
      throw new BerthError(`${paths.environment}: '${service}' is not a service of this config`);
    if (!vars || typeof vars !== 'object' || Object.values(vars).some((v) => typeof v !== 'string'))
      throw new BerthError(`${paths.environment}: '${service}' must map variable names to strings`);
    out[service] = vars as Record<string, string>;
  }
  return out;
}

function readJsonObject(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = tryParse(readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new BerthError(`${file} must hold one JSON object`);
  return parsed as Record<string, unknown>;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
