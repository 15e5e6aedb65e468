import { z } from 'zod';
import { UsageError } from '../shared/errors.ts';
import { BerthConfigSchema } from './schema.ts';
import { SERVICE_KEYS, STAGE_KEYS } from './stage-schema.ts';

/**
 * Stages: one config, several deployed environments (`stages: { dev: {...}, prod: {...} }`).
 *
 * A stage writes only what differs from the base values; `mergeStage` lays it over them (stage
 * over base: objects merge key by key, a value or a list replaces). The fields a stage may set are
 * declared here; their values obey exactly the base's rules, because each declared stage is checked
 * as the whole config it makes (`stageIssues`), so a problem a stage causes is reported at
 * `stages.<name>.<path>`. What makes the topology (services, routes, ports, images, tables) is the
 * same in every stage: a stage changes how big, where and how guarded, never what runs.
 */

type Parsed = z.output<typeof BerthConfigSchema>;
type Raw = Record<string, unknown>;

/** The config without its stages: the base values. */
function baseOf(raw: Raw): Raw {
  const { stages: _stages, defaultStage: _default, ...base } = raw;
  return base;
}

const isPlainObject = (v: unknown): v is Raw =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Stage over base: objects merge key by key; a value or a list replaces the base's. */
function overlay(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = overlay(base[key], value);
  return out;
}

/** The config one stage makes: the base values with the stage's overrides laid over them. */
export function mergeStage(config: Parsed, stage: string): Parsed {
  const overrides = config.stages?.[stage];
  if (!overrides) return config;
  const { production: _production, ...rest } = overrides;
  return overlay(baseOf(config), rest) as Parsed;
}

/**
 * Problems a declared stage causes, as issues at `stages.<name>.<path>`: each stage's config is
 * checked by the base's own rules, so a stage's value must be what the base field accepts and the
 * merged whole must hold together (min under max, a domain inside its hosted zone). A problem the
 * base has on its own is the base's, already reported once (`reported`), not again per stage.
 */
export function stageIssues(raw: unknown, reported: ReadonlySet<string>): z.core.$ZodIssue[] {
  if (!isPlainObject(raw) || !isPlainObject(raw.stages)) return [];
  const issues: z.core.$ZodIssue[] = [];
  const base = baseOf(raw);
  const services = isPlainObject(base.services) ? Object.keys(base.services) : [];
  const names = Object.keys(raw.stages);
  if (raw.defaultStage !== undefined && !names.includes(raw.defaultStage as string))
    issues.push(
      custom(
        ['defaultStage'],
        `'${String(raw.defaultStage)}' is not a declared stage; use one of ${names.join(', ')}`,
      ),
    );
  for (const [name, stage] of Object.entries(raw.stages)) {
    if (!isPlainObject(stage)) continue;
    const at = ['stages', name];
    const stageServices = isPlainObject(stage.services) ? stage.services : {};
    for (const id of Object.keys(stageServices)) {
      if (!services.includes(id))
        issues.push(
          custom(
            [...at, 'services', id],
            `'${id}' is not a service in this config, and a stage cannot add services (every stage runs the same ones); use one of ${services.join(', ')}`,
          ),
        );
    }
    // Only what a stage may set, and only the base's services: anything else has its own issue
    // from StageSchema or from above, not a second one from the merged config.
    const merged = overlay(base, {
      ...pick(
        stage,
        STAGE_KEYS.filter((k) => k !== 'production' && k !== 'services' && k !== 'network'),
      ),
      ...(isPlainObject(stage.network) ? { network: pick(stage.network, ['egress']) } : {}),
      services: Object.fromEntries(
        Object.entries(stageServices)
          .filter(([id]) => services.includes(id))
          .map(([id, svc]) => [id, isPlainObject(svc) ? pick(svc, SERVICE_KEYS) : svc]),
      ),
    });
    const result = BerthConfigSchema.safeParse(merged, { reportInput: true });
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const atStage = { ...issue, path: [...at, ...issue.path] };
      // The base's own problem, or one the stage's schema found already (an unknown field).
      if (reported.has(issueKey(issue)) || reported.has(issueKey(atStage))) continue;
      issues.push(atStage);
    }
  }
  return issues;
}

function pick(value: Raw, keys: readonly string[]): Raw {
  return Object.fromEntries(Object.entries(value).filter(([k]) => keys.includes(k)));
}

/** How an issue is known across the base's and a stage's checks: its path and message. */
export function issueKey(issue: { readonly path: readonly PropertyKey[]; readonly message: string }): string {
  return `${issue.path.map(String).join('.')}: ${issue.message}`;
}

function custom(path: (string | number)[], message: string): z.core.$ZodIssue {
  return { code: 'custom', path, message, input: undefined } as z.core.$ZodIssue;
}

/** The stage a command acts on: `--stage`, else the config's defaultStage, else 'prod'; declared when the config declares stages. */
export function selectStage(config: Parsed, requested: string | undefined, fallback: string): string {
  const stage = requested ?? config.defaultStage ?? fallback;
  const declared = Object.keys(config.stages ?? {});
  if (declared.length > 0 && !declared.includes(stage)) {
    const how =
      requested === undefined ? `no --stage given and '${stage}' is the default` : `--stage ${stage}`;
    throw new UsageError(
      `${how}, but the config declares the stages ${declared.join(', ')}; pass --stage ${declared.join('|')}${requested === undefined ? ' or set defaultStage' : ''}`,
    );
  }
  return stage;
}

/** The config paths a stage sets to a value other than the base's, e.g. 'network.egress'. */
export function stageOverrides(config: Parsed, stage: string): string[] {
  const overrides = config.stages?.[stage];
  if (!overrides) return [];
  const { production: _production, ...rest } = overrides;
  const paths: string[] = [];
  const walk = (value: unknown, base: unknown, at: string[]) => {
    // Into an object the base has too (or lacks: an added environment lists its keys); a secret
    // reference is one value.
    const secretRef = at.length === 4 && at[0] === 'services' && at[2] === 'secrets';
    if (isPlainObject(value) && (isPlainObject(base) || base === undefined) && !secretRef) {
      for (const [key, v] of Object.entries(value))
        walk(v, isPlainObject(base) ? base[key] : undefined, [...at, key]);
    } else if (JSON.stringify(value) !== JSON.stringify(base)) paths.push(at.join('.'));
  };
  walk(rest, baseOf(config), []);
  return paths;
}
