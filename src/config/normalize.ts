import path from 'node:path';
import type { z } from 'zod';
import { DEFAULTS, defaultDesiredCount } from './defaults.ts';
import type { CompliancePack, EgressStrategy, ReleaseStrategy } from './choices.ts';
import type { BerthConfigSchema } from './schema.ts';

export type { CompliancePack, EgressStrategy, ReleaseStrategy };
import { mergeStage, selectStage, stageOverrides } from './stages.ts';

type Parsed = z.output<typeof BerthConfigSchema>;

export type ImageSource =
  | {
      readonly kind: 'build';
      /** Absolute build context. */
      readonly context: string;
      readonly file: string;
      readonly args: Readonly<Record<string, string>>;
      /** Compressed size budget in MB (10^6 bytes); undefined for none. */
      readonly maxSizeMB?: number;
    }
  | { readonly kind: 'ref'; readonly ref: string };

export type SecretRef =
  | { readonly kind: 'ssm'; readonly name: string }
  | { readonly kind: 'secretsManager'; readonly name: string; readonly field?: string };

/** One request a new release must answer right before it gets production traffic. */
export interface VerifyRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bodyContains?: string;
}

export interface ResolvedRelease {
  readonly strategy: ReleaseStrategy;
  /** canary: share moved first; linear: share per step; 100 for rolling and blue-green. */
  readonly stepPercent: number;
  /** canary: minutes before the rest; linear: minutes between steps; 0 for rolling and blue-green. */
  readonly stepMinutes: number;
  readonly bakeMinutes: number;
  readonly alarms: {
    readonly errorRatePercent: number;
    readonly p99Ms: number;
    readonly names: readonly string[];
  };
  readonly verify: readonly VerifyRequest[];
}

export interface ResolvedService {
  readonly id: string;
  readonly image: ImageSource;
  readonly port: number;
  readonly healthCheck: {
    readonly path: string;
    readonly interval: number;
    readonly timeout: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
    readonly command?: readonly string[];
  };
  readonly cpu: number;
  readonly memory: number;
  readonly scaling: {
    readonly desired: number;
    readonly min: number;
    readonly max: number;
    readonly cpuTarget: number;
    readonly requestsPerTarget: number;
  };
  /** Fully qualified host name and optional paths; undefined for internal-only services. */
  readonly route?: { readonly host: string; readonly label: string; readonly paths: readonly string[] };
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
  readonly permissions: readonly { readonly table: string; readonly access: 'read' | 'readwrite' }[];
  /** Services this one calls over Service Connect, sorted; the only service-to-service edges opened. */
  readonly calls: readonly string[];
  readonly architecture: 'x86_64' | 'arm64';
  readonly spot: number;
  readonly user: number;
  readonly shutdownSeconds: number;
  /** Seconds a leaving target keeps its in-flight requests: the app's shutdown time plus a margin. */
  readonly deregistrationDelaySeconds: number;
  /** Seconds between SIGTERM and SIGKILL (ECS stopTimeout, at most 120): the app's shutdown time plus a margin. */
  readonly stopTimeoutSeconds: number;
  /** How a new version replaces the running one (docs/releases.md). */
  readonly release: ResolvedRelease;
  readonly local?: { readonly command: readonly string[]; readonly cwd: string };
}

/** One stage the config declares, as `berth stages`, `berth ci` and `check` across stages list them. */
export interface StageSummary {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly domain: string;
  /** Deployed last and behind an approval in CI: a stage named prod or production, or with `production: true`. */
  readonly production: boolean;
  /** Config paths this stage sets differently from the base values, e.g. 'network.egress', in the order written. */
  readonly overrides: readonly string[];
}

/** The config after `normalizeConfig`: every default applied, every path absolute. */
export interface ResolvedConfig {
  readonly app: string;
  /**
   * The deployed environment (`--stage`, else the config's `defaultStage`, else 'prod'): stacks and
   * per-stage resources are named with it, so several stages of one app can live in one account
   * (src/infra/naming.ts says which). Every other field holds this stage's values.
   */
  readonly stage: string;
  /** Every stage the config declares, in the order written; just `stage` when it declares none. */
  readonly stages: readonly StageSummary[];
  readonly env: { readonly account: string; readonly region: string };
  readonly domain: string;
  readonly hostedZone: { readonly id: string; readonly name: string };
  readonly network: { readonly azs: number; readonly egress: EgressStrategy; readonly cidr: string };
  readonly alb: { readonly allowedCidrs: readonly string[]; readonly deletionProtection: boolean };
  readonly logs: {
    readonly retentionDays: number;
    /** Days flow logs and WAF logs are kept. */
    readonly securityRetentionDays: number;
  };
  readonly tables: readonly string[];
  readonly exec: boolean;
  readonly guardDuty: boolean;
  /** The web ACL in front of the ALB, or false for none. */
  readonly waf: false | { readonly rateLimit: number };
  readonly compliance: { readonly packs: readonly CompliancePack[]; readonly controlTower: boolean };
  readonly services: readonly ResolvedService[];
  /** Directory of the config file; relative paths in it are resolved against this. */
  readonly baseDir: string;
}

/** Stage names that mean production: deployed last, behind an approval. */
const PRODUCTION_STAGES: readonly string[] = ['prod', 'production'];

/**
 * Applies every default once, so the rest of berth never writes `?? default`; with `stages`, the
 * selected stage's overrides are laid over the base values first (stage over base).
 */
export function normalizeConfig(
  parsed: Parsed,
  baseDir: string,
  options: { readonly stage?: string } = {},
): ResolvedConfig {
  const d = DEFAULTS;
  const stage = selectStage(parsed, options.stage, d.stage);
  const config = mergeStage(parsed, stage);
  return {
    app: config.app,
    stage,
    stages: parsed.stages
      ? Object.keys(parsed.stages).map((name) => stageSummary(parsed, name))
      : [stageSummary(parsed, stage)],
    env: config.env,
    domain: config.domain,
    hostedZone: config.hostedZone,
    network: {
      azs: config.network?.azs ?? d.network.azs,
      egress: config.network?.egress ?? d.network.egress,
      cidr: config.network?.cidr ?? d.network.cidr,
    },
    alb: {
      allowedCidrs: config.alb?.allowedCidrs ?? d.alb.allowedCidrs,
      deletionProtection: config.alb?.deletionProtection ?? d.alb.deletionProtection,
    },
    logs: {
      retentionDays: config.logs?.retentionDays ?? d.logs.retentionDays,
      securityRetentionDays: config.logs?.securityRetentionDays ?? d.logs.securityRetentionDays,
    },
    tables: Object.keys(config.tables ?? {}).sort(),
    exec: config.exec ?? d.exec,
    guardDuty: config.guardDuty ?? d.guardDuty,
    waf: normalizeWaf(config.waf ?? d.waf),
    compliance: {
      packs: config.compliance?.packs ?? d.compliance.packs,
      controlTower: config.compliance?.controlTower ?? d.compliance.controlTower,
    },
    services: Object.entries(config.services)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, svc]) => normalizeService(id, svc, config.domain, baseDir)),
    baseDir,
  };
}

/** One stage as `berth stages` lists it; a config without stages has the one it was loaded for. */
function stageSummary(parsed: Parsed, name: string): StageSummary {
  const config = mergeStage(parsed, name);
  return {
    name,
    account: config.env.account,
    region: config.env.region,
    domain: config.domain,
    production: parsed.stages?.[name]?.production ?? PRODUCTION_STAGES.includes(name),
    overrides: stageOverrides(parsed, name),
  };
}

function normalizeWaf(waf: NonNullable<Parsed['waf']>): ResolvedConfig['waf'] {
  if (waf === false) return false;
  return { rateLimit: (waf === true ? undefined : waf.rateLimit) ?? DEFAULTS.wafRateLimit };
}

function normalizeService(
  id: string,
  svc: Parsed['services'][string],
  domain: string,
  baseDir: string,
): ResolvedService {
  const d = DEFAULTS.service;
  const image: ImageSource =
    'ref' in svc.image
      ? { kind: 'ref', ref: svc.image.ref }
      : {
          kind: 'build',
          context: path.resolve(baseDir, svc.image.context),
          file: svc.image.file ?? d.containerfile,
          args: svc.image.args ?? {},
          ...(svc.image.maxSizeMB !== undefined ? { maxSizeMB: svc.image.maxSizeMB } : {}),
        };
  const min = svc.scaling?.min ?? d.scaling.min;
  const shutdownSeconds = svc.shutdownSeconds ?? d.shutdownSeconds;
  return {
    id,
    image,
    port: svc.port,
    healthCheck: {
      path: svc.healthCheck.path,
      interval: svc.healthCheck.interval ?? d.healthCheck.interval,
      timeout: svc.healthCheck.timeout ?? d.healthCheck.timeout,
      healthyThreshold: svc.healthCheck.healthyThreshold ?? d.healthCheck.healthyThreshold,
      unhealthyThreshold: svc.healthCheck.unhealthyThreshold ?? d.healthCheck.unhealthyThreshold,
      ...(svc.healthCheck.command ? { command: svc.healthCheck.command } : {}),
    },
    cpu: svc.cpu ?? d.cpu,
    memory: svc.memory ?? d.memory,
    scaling: {
      desired: svc.scaling?.desired ?? defaultDesiredCount(min),
      min,
      max: svc.scaling?.max ?? d.scaling.max,
      cpuTarget: svc.scaling?.cpuTarget ?? d.scaling.cpuTarget,
      requestsPerTarget: svc.scaling?.requestsPerTarget ?? d.scaling.requestsPerTarget,
    },
    ...(svc.route
      ? {
          route: {
            label: svc.route.host,
            host: svc.route.host === '@' ? domain : `${svc.route.host}.${domain}`,
            paths: svc.route.paths ?? [],
          },
        }
      : {}),
    environment: svc.environment ?? {},
    secrets: Object.fromEntries(
      Object.entries(svc.secrets ?? {}).map(([k, v]): [string, SecretRef] => [
        k,
        'ssm' in v
          ? { kind: 'ssm', name: v.ssm }
          : { kind: 'secretsManager', name: v.secretsManager, ...(v.field ? { field: v.field } : {}) },
      ]),
    ),
    permissions: (svc.permissions ?? []).map((p) => ({ table: p.table, access: p.access ?? d.access })),
    calls: [...new Set(svc.calls ?? [])].sort(),
    architecture: svc.architecture ?? d.architecture,
    spot: svc.spot ?? d.spot,
    user: svc.user ?? d.user,
    shutdownSeconds,
    deregistrationDelaySeconds: shutdownSeconds + d.shutdownMarginSeconds,
    stopTimeoutSeconds: Math.min(120, shutdownSeconds + d.shutdownMarginSeconds),
    release: normalizeRelease(svc.release),
    ...(svc.local
      ? {
          local: {
            command: svc.local.command,
            cwd: path.resolve(baseDir, svc.local.cwd ?? (image.kind === 'build' ? image.context : '.')),
          },
        }
      : {}),
  };
}

function normalizeRelease(release: Parsed['services'][string]['release']): ResolvedRelease {
  const d = DEFAULTS.service.release;
  const strategy = release?.strategy ?? d.strategy;
  const steps =
    strategy === 'canary'
      ? d.canary
      : strategy === 'linear'
        ? d.linear
        : { stepPercent: 100, stepMinutes: 0 };
  return {
    strategy,
    stepPercent: release?.stepPercent ?? steps.stepPercent,
    stepMinutes: release?.stepMinutes ?? steps.stepMinutes,
    bakeMinutes: release?.bakeMinutes ?? d.bakeMinutes,
    alarms: {
      errorRatePercent: release?.alarms?.errorRatePercent ?? d.alarms.errorRatePercent,
      p99Ms: release?.alarms?.p99Ms ?? d.alarms.p99Ms,
      names: release?.alarms?.names ?? [],
    },
    verify: (release?.verify ?? []).map((v) => ({
      method: v.method ?? 'GET',
      path: v.path,
      status: v.status ?? 200,
      ...(v.bodyContains !== undefined ? { bodyContains: v.bodyContains } : {}),
    })),
  };
}
