import { z } from 'zod';
import type { EgressStrategy } from './choices.ts';

// The fields a stage may set (docs/stages-and-ci.md); stages.ts merges and checks them.

/** What a stage may change in a service; the rest of a service is the same in every stage. */
const StageServiceSchema = z
  .looseObject({
    /** Fargate CPU units in this stage. */
    cpu: z.number().optional(),
    /** Fargate memory in MiB in this stage; must fit the CPU size. */
    memory: z.number().optional(),
    /** Each key replaces the base's: `{ min: 2 }` keeps the base max. */
    scaling: z
      .object({
        desired: z.number().optional(),
        min: z.number().optional(),
        max: z.number().optional(),
        cpuTarget: z.number().optional(),
        requestsPerTarget: z.number().optional(),
      })
      .strict()
      .optional(),
    /** Percentage of tasks on Fargate Spot in this stage. */
    spot: z.number().optional(),
    /** Values that replace (or add to) the base's environment, key by key. */
    environment: z.record(z.string(), z.string()).optional(),
    /** Secret references that replace (or add to) the base's, key by key: each stage its own parameter. */
    secrets: z
      .record(
        z.string(),
        z.union([
          z.object({ ssm: z.string() }).strict(),
          z.object({ secretsManager: z.string(), field: z.string().optional() }).strict(),
        ]),
      )
      .optional(),
  })
  .superRefine((svc, ctx) => refuseOtherKeys(svc, ctx, SERVICE_KEYS, serviceKeyMessage));

/** One stage's overrides of the base values. */
export const StageSchema = z
  .looseObject({
    /**
     * Deployed last and behind an approval in CI. @default true for a stage named prod or
     * production, else false
     */
    production: z.boolean().optional(),
    /** The stage's own account and region (or only one of them). */
    env: z.object({ account: z.string().optional(), region: z.string().optional() }).strict().optional(),
    /** The stage's own domain, e.g. a subdomain: `dev.cruddur.example.com`. */
    domain: z.string().optional(),
    /** The hosted zone that holds the stage's domain, when it is not the base's. */
    hostedZone: z.object({ id: z.string(), name: z.string() }).strict().optional(),
    network: z
      .looseObject({
        /** The stage's egress: e.g. a NAT instance in dev, NAT gateways in prod. */
        egress: (z.string() as z.ZodType<EgressStrategy, EgressStrategy>).optional(),
      })
      .superRefine((network, ctx) =>
        refuseOtherKeys(network, ctx, ['egress'], (key) =>
          ['azs', 'cidr'].includes(key)
            ? `a stage cannot change network.${key}: it is the same in every stage; a stage overrides network.egress`
            : `unknown field '${key}'; a stage overrides network.egress`,
        ),
      )
      .optional(),
    alb: z
      .object({
        allowedCidrs: z.array(z.string()).optional(),
        deletionProtection: z.boolean().optional(),
      })
      .strict()
      .optional(),
    logs: z
      .object({ retentionDays: z.number().optional(), securityRetentionDays: z.number().optional() })
      .strict()
      .optional(),
    waf: z.union([z.boolean(), z.object({ rateLimit: z.number().optional() }).strict()]).optional(),
    /** Per service: only services the base declares. */
    services: z.record(z.string(), StageServiceSchema).optional(),
  })
  .superRefine((stage, ctx) => refuseOtherKeys(stage, ctx, STAGE_KEYS, stageKeyMessage));

export type StageConfig = z.input<typeof StageSchema>;

export const STAGE_KEYS: readonly string[] = Object.keys(StageSchema.shape);
export const SERVICE_KEYS: readonly string[] = Object.keys(StageServiceSchema.shape);
const OVERRIDABLE_SERVICE = SERVICE_KEYS.join(', ');
const OVERRIDABLE_STAGE = 'production, env, domain, hostedZone, network.egress, alb, logs, waf, services';

/** Fields of a service that make the topology: the same in every stage. */
const SERVICE_TOPOLOGY = [
  'image',
  'port',
  'route',
  'healthCheck',
  'calls',
  'permissions',
  'architecture',
  'user',
  'shutdownSeconds',
  'release',
  'local',
];

function serviceKeyMessage(key: string): string {
  return SERVICE_TOPOLOGY.includes(key)
    ? `a stage cannot change a service's ${key}: it is the same in every stage (set it under services); a stage overrides ${OVERRIDABLE_SERVICE}`
    : `unknown field '${key}'; a stage overrides a service's ${OVERRIDABLE_SERVICE}`;
}

function stageKeyMessage(key: string): string {
  const base = ['app', 'tables', 'compliance', 'exec', 'guardDuty', 'stages', 'defaultStage'];
  return base.includes(key)
    ? `a stage cannot change ${key}: it is the same in every stage; a stage overrides ${OVERRIDABLE_STAGE}`
    : `unknown field '${key}'; a stage overrides ${OVERRIDABLE_STAGE}`;
}

/** A loose object keeps unknown keys so that each gets a message saying what a stage can set instead. */
function refuseOtherKeys(
  value: Record<string, unknown>,
  ctx: z.RefinementCtx,
  allowed: readonly string[],
  message: (key: string) => string,
): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: message(key) });
}
