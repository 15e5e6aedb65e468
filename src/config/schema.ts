import { z } from 'zod';
import { DEFAULTS, defaultDesiredCount } from './defaults.ts';
import { COMPLIANCE_PACKS, EGRESS_STRATEGIES, RELEASE_STRATEGIES } from './choices.ts';
import { StageSchema } from './stage-schema.ts';

export { COMPLIANCE_PACKS, EGRESS_STRATEGIES, RELEASE_STRATEGIES };

/**
 * The deployment config a user writes in `berth.config.ts`.
 *
 * Every field is documented where it is declared; defaults are applied in one place,
 * `normalizeConfig`, so that the rest of berth sees a complete config.
 */

/** Fargate task sizes: CPU units and the memory (MiB) each one accepts. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** An app, stage, service or table name: it becomes part of AWS resource names. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** A domain name such as `cruddur.example.com`: labels of a-z, 0-9 and '-', then a top-level domain. */
export const DOMAIN_PATTERN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * A DNS name as written: DNS ignores case and a trailing dot (the root), so `Cruddur.Example.COM.`
 * is taken as `cruddur.example.com`, the form AWS shows and berth compares.
 */
const dnsName = z.string().overwrite((name) => name.toLowerCase().replace(/\.$/, ''));

/** An environment variable or secret name ECS accepts in a container definition. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envName = z.string().regex(ENV_NAME_PATTERN, {
  message: "a variable name must be letters, digits and '_', not starting with a digit, e.g. DB_HOST",
});

const name = (what: string) =>
  z.string().regex(NAME_PATTERN, {
    message: `${what} must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names)`,
  });

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, {
  message: 'is not an IPv4 CIDR; write it like 203.0.113.0/24 (or 0.0.0.0/0 for the whole internet)',
});

const digestRef = z.string().regex(/^[^\s@]+@sha256:[a-f0-9]{64}$/, {
  message: 'must be pinned by digest, like registry/repo@sha256:<64 hex characters>',
});

/** What `image` may be, said when it is neither. */
const IMAGE_FORMS =
  "either { context: './dir' } (berth builds the image; file, args and maxSizeMB may follow) or { ref: 'registry/repo@sha256:...' } (an existing image pinned by digest), not both";

const ImageSchema = z.union(
  [
    z
      .object({
        /** Directory to build, relative to the config file. @example './backend' */
        context: z.string().min(1),
        /** Containerfile inside the context. @default 'Containerfile' */
        file: z.string().min(1).optional(),
        /** Build arguments, such as BASE_IMAGE and BUILD_IMAGE pinned by digest (docs/images.md). */
        args: z.record(z.string(), z.string()).optional(),
        /**
         * Compressed size budget in MB (10^6 bytes): a built image over it fails `berth check
         * --images` (exit 1). @default no budget @example 45
         */
        maxSizeMB: z.number().positive().optional(),
      })
      .strict(),
    z
      .object({
        /** An existing image, pinned by digest. @example 'public.ecr.aws/nginx/nginx@sha256:<64 hex characters>' */
        ref: digestRef,
      })
      .strict(),
  ],
  {
    error: (issue) =>
      has(issue.input, 'ref') && has(issue.input, 'context') ? `is ${IMAGE_FORMS}` : undefined,
  },
);

function has(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value;
}

const HealthCheckSchema = z
  .object({
    /** Path the load balancer probes. @example '/api/health-check' */
    path: z.string().startsWith('/', { message: "must start with '/'" }),
    /** Seconds between probes. @default 15 */
    interval: z.number().int().min(5).max(300).optional(),
    /** Seconds before a probe counts as failed. @default 5 */
    timeout: z.number().int().min(2).max(120).optional(),
    /** Consecutive successes before a target gets traffic. @default 2 */
    healthyThreshold: z.number().int().min(2).max(10).optional(),
    /** Consecutive failures before a target is taken out. @default 3 */
    unhealthyThreshold: z.number().int().min(2).max(10).optional(),
    /** The container's own health-check command (exec form, no shell, no curl). @example ['node', 'dist/healthcheck.js'] */
    command: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/** A Secrets Manager secret's complete ARN, as the console shows it (the name, then '-' and 6 characters). */
const SECRET_ARN_PATTERN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;

/** What a secret may be, said when it is something else; never the value, which may be the secret itself. */
const SECRET_FORMS =
  "a secret is a reference, never the value: { ssm: '/app/NAME' } (an SSM SecureString parameter name) or { secretsManager: 'app/name' } (a Secrets Manager secret name or complete ARN; field: 'key' picks one JSON key); store the value there and name it here";

const SecretSchema = z.union(
  [
    z
      .object({
        /** An SSM SecureString parameter name. @example '/cruddur/backend/DB_PASSWORD' */
        ssm: z.string().regex(/^\/[\w.\-/]+$/, { message: "must be a parameter name starting with '/'" }),
      })
      .strict(),
    z
      .object({
        /** A Secrets Manager secret name, or its complete ARN. @example 'cruddur/backend/api-key' */
        secretsManager: z
          .string()
          .regex(/^([\w/+=.@-]+|arn:.*)$/, { message: 'must be a secret name' })
          .refine((v) => !v.startsWith('arn:') || SECRET_ARN_PATTERN.test(v), {
            message:
              'must be a secret name or its complete ARN, like arn:aws:secretsmanager:us-east-1:123456789012:secret:app/name-AbCdEf',
          }),
        /** One key of the secret's JSON value; the whole value when omitted. @example 'password' */
        field: z.string().min(1).optional(),
      })
      .strict(),
  ],
  {
    error: (issue) =>
      has(issue.input, 'ssm') || has(issue.input, 'secretsManager') ? undefined : SECRET_FORMS,
  },
);

const PermissionSchema = z
  .object({
    /** A table declared under `tables`. */
    table: z.string().min(1),
    /** What the service may do with the table: read items, or read and write them. @default 'read' */
    access: z.enum(['read', 'readwrite']).optional(),
  })
  .strict();

const ScalingSchema = z
  .object({
    /** Tasks at deploy time. @default scaling.min, at least 1 */
    desired: z.number().int().min(0).max(100).optional(),
    /** Fewest tasks autoscaling keeps. @default 1 */
    min: z.number().int().min(0).max(100).optional(),
    /** Most tasks autoscaling starts. @default 4 */
    max: z.number().int().min(1).max(100).optional(),
    /** Average CPU % that autoscaling keeps. @default 70 */
    cpuTarget: z.number().int().min(10).max(95).optional(),
    /** ALB requests per target per minute that autoscaling keeps. @default 1000 */
    requestsPerTarget: z.number().int().min(1).optional(),
  })
  .strict();

const RouteSchema = z
  .object({
    /** `'@'` for the apex domain, or a label such as `'api'` for `api.<domain>`. */
    host: z.string().regex(/^(@|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/, {
      message: "must be '@' (the apex) or one DNS label such as 'api'",
    }),
    /** Optional path patterns, e.g. ['/api/*']. */
    paths: z.array(z.string().startsWith('/')).max(5).optional(),
  })
  .strict();

const VerifyRequestSchema = z
  .object({
    /** HTTP method of the request. @default 'GET' */
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
    /** Path on the service's host. @example '/api/activities/home' */
    path: z.string().startsWith('/', { message: "must start with '/'" }),
    /** The status the new release must answer. @default 200 */
    status: z.number().int().min(100).max(599).optional(),
    /** Text the response body must contain. @example '"uuid"' */
    bodyContains: z.string().min(1).optional(),
  })
  .strict();

/**
 * How a new version replaces the running one (docs/releases.md). `rolling` replaces tasks in place;
 * `blue-green` starts the new (green) tasks beside the old, checks them through the test listener,
 * then moves all traffic at once; `canary` moves `stepPercent` first and the rest after `stepMinutes`;
 * `linear` moves `stepPercent` every `stepMinutes`. Any alarm in alarm during the shift or the bake
 * rolls back.
 */
const ReleaseSchema = z
  .object({
    /** How traffic moves to the new version. @default 'rolling' */
    strategy: z.enum(RELEASE_STRATEGIES).optional(),
    /** canary: the share moved first; linear: the share moved per step. @default 10 (canary), 20 (linear) */
    stepPercent: z.number().min(0.1).max(100).optional(),
    /** canary: minutes before the rest moves; linear: minutes between steps. @default 5 (canary), 2 (linear) */
    stepMinutes: z.number().int().min(0).max(1440).optional(),
    /** Minutes the new version serves all traffic, watched by the alarms, before the old one stops. @default 5 */
    bakeMinutes: z.number().int().min(0).max(1440).optional(),
    /** What rolls a release back. */
    alarms: z
      .object({
        /** Target 5xx responses as a % of requests (ALB target group metrics) that rolls back. @default 5 */
        errorRatePercent: z.number().min(0.1).max(100).optional(),
        /** Target response time p99 in milliseconds that rolls back. @default 2000 */
        p99Ms: z.number().int().min(1).max(60_000).optional(),
        /** Names of the user's own CloudWatch alarms that also roll back. @default [] */
        names: z.array(z.string().min(1).max(255)).optional(),
      })
      .strict()
      .optional(),
    /** Requests the new version must answer right through the test listener before any production traffic moves (the health path always is). @default [] */
    verify: z.array(VerifyRequestSchema).max(20).optional(),
  })
  .strict();

const ServiceSchemaBase = z
  .object({
    /** What the service runs: an image berth builds from a folder, or an existing image pinned by digest. */
    image: ImageSchema,
    /**
     * Port the container listens on. berth passes it as PORT; the image must `EXPOSE` it, and a
     * server with a fixed port (nginx) must be configured for it: `berth check --images` fails otherwise.
     * @example 3000
     */
    port: z.number().int().min(1).max(65535),
    /** How the load balancer (and `berth up`'s edge) decides a task is healthy. */
    healthCheck: HealthCheckSchema,
    /** Fargate CPU units. @default 256 */
    cpu: z.number().int().optional(),
    /** Fargate memory in MiB; must fit the CPU size. @default 512 */
    memory: z.number().int().optional(),
    /** How many tasks run, and when autoscaling adds or removes one. */
    scaling: ScalingSchema.optional(),
    /** How the load balancer reaches this service. Omit for an internal-only service. */
    route: RouteSchema.optional(),
    /** Plain, non-secret environment variables. */
    environment: z.record(envName, z.string()).optional(),
    /** Secrets injected by ECS at start, never written into the task definition. */
    secrets: z.record(envName, SecretSchema).optional(),
    /**
     * Services this one calls over Service Connect (`http://<id>:<port>`). Only these edges are
     * opened, in AWS (security groups) and in `berth up` (discovery); a call to any other service
     * is refused. A call through the public URL (the browser's, via the ALB) is not one of these.
     * @default [] @example ['backend']
     */
    calls: z.array(z.string().min(1)).optional(),
    /** What the app itself may do in AWS; nothing more is granted. */
    permissions: z.array(PermissionSchema).optional(),
    /**
     * The CPU the service's tasks run on (the task definition's RuntimePlatform); its image is built for it.
     * Pick x86_64 when the image needs a native module or binary that has no arm64 build.
     * @default 'arm64'
     */
    architecture: z.enum(['x86_64', 'arm64']).optional(),
    /** Percentage of tasks on Fargate Spot (0-100). @default 0 */
    spot: z.number().int().min(0).max(100).optional(),
    /** Numeric user the container runs as. @default 1000 */
    user: z.number().int().min(1).max(65534).optional(),
    /** Seconds the app needs to finish in-flight requests after SIGTERM. @default 10 */
    shutdownSeconds: z.number().int().min(1).max(110).optional(),
    /** How a new version replaces the running one: rolling, blue-green, canary or linear (docs/releases.md). */
    release: ReleaseSchema.optional(),
    /** How `berth up --engine process` starts the service on this machine. */
    local: z
      .object({
        /** Command in exec form. @example ['node', 'dist/server.js'] */
        command: z.array(z.string().min(1)).min(1),
        /** Working directory relative to the config file. @default the image's build context */
        cwd: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const ServiceSchema = ServiceSchemaBase.superRefine(checkService);

/** Rules across one service's fields; run per service so that one bad service does not hide another's problems. */
function checkService(svc: z.output<typeof ServiceSchemaBase>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const cpu = svc.cpu ?? DEFAULTS.service.cpu;
  const memory = svc.memory ?? DEFAULTS.service.memory;
  const memories = FARGATE_SIZES[cpu];
  if (!memories) {
    issue(['cpu'], `${cpu} is not a Fargate size; use one of ${Object.keys(FARGATE_SIZES).join(', ')}`);
  } else if (!memories.includes(memory)) {
    issue(
      ['memory'],
      `${memory} MiB does not fit ${cpu} CPU units on Fargate; use one of ${memories.join(', ')}`,
    );
  }
  const s = svc.scaling ?? {};
  const min = s.min ?? DEFAULTS.service.scaling.min;
  const max = s.max ?? DEFAULTS.service.scaling.max;
  const desired = s.desired ?? defaultDesiredCount(min);
  if (min > max) issue(['scaling', 'min'], `min (${min}) is above max (${max}); lower min or raise max`);
  if (desired < min || desired > max)
    issue(['scaling', 'desired'], `desired (${desired}) must lie between min (${min}) and max (${max})`);
  // berth owns PORT: the load balancer, the health check and Service Connect all use `port`, so a
  // different PORT would have the app listen where nothing sends traffic.
  for (const field of ['environment', 'secrets'] as const)
    if (svc[field] && 'PORT' in svc[field])
      issue(
        [field, 'PORT'],
        `berth sets PORT to the service's port (${svc.port}); remove it here and change port instead`,
      );
  const secretNames = Object.keys(svc.secrets ?? {});
  for (const key of Object.keys(svc.environment ?? {})) {
    if (secretNames.includes(key))
      issue(['environment', key], `${key} is also a secret; keep it in secrets only`);
  }
  const strategy = svc.release?.strategy ?? DEFAULTS.service.release.strategy;
  if (strategy !== 'rolling' && !svc.route)
    issue(
      ['release', 'strategy'],
      `'${strategy}' shifts load balancer traffic, and this service has no route; use 'rolling' or give it a route`,
    );
  if (strategy === 'rolling' || strategy === 'blue-green') {
    for (const key of ['stepPercent', 'stepMinutes'] as const)
      if (svc.release?.[key] !== undefined)
        issue(
          ['release', key],
          `applies to 'canary' and 'linear' only; remove it or change release.strategy`,
        );
  }
  // ECS takes a step share in multiples of 0.1 %, and a linear step of at least 3 %.
  const step = svc.release?.stepPercent;
  if (
    (strategy === 'canary' || strategy === 'linear') &&
    step !== undefined &&
    (Math.abs(Math.round(step * 10) - step * 10) > 1e-9 || (strategy === 'linear' && step < 3))
  )
    issue(
      ['release', 'stepPercent'],
      `${step} is not a step ECS takes for '${strategy}': use a multiple of 0.1${strategy === 'linear' ? ' from 3 to 100' : ' from 0.1 to 100'}`,
    );
  const hc = svc.healthCheck;
  if (
    (hc.timeout ?? DEFAULTS.service.healthCheck.timeout) >=
    (hc.interval ?? DEFAULTS.service.healthCheck.interval)
  )
    issue(['healthCheck', 'timeout'], 'must be shorter than healthCheck.interval');
}

const BerthConfigSchemaBase = z
  .object({
    /** The JSON Schema the file follows, for editors (`berth schema --out berth.schema.json`); berth ignores it. @example './berth.schema.json' */
    $schema: z.string().optional(),
    /** Application name; prefixes every resource. @example 'cruddur' */
    app: name('app'),
    /** Where to deploy. No lookups are made: synth works offline. */
    env: z
      .object({
        /** The 12-digit AWS account id. @example '123456789012' */
        account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }),
        /** The AWS region. @example 'us-east-1' */
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as us-east-1' }),
      })
      .strict(),
    /** The apex domain the app answers on. @example 'cruddur.example.com' */
    domain: dnsName
      .regex(DOMAIN_PATTERN, { message: 'must be a domain name such as example.com' })
      // The TLS certificate is issued for the apex name, and ACM takes at most 64 characters there.
      .max(64, { message: 'must be at most 64 characters: the TLS certificate (ACM) names it' }),
    /** The Route53 hosted zone that holds `domain` (given, not looked up). */
    hostedZone: z
      .object({
        /** The zone's id, as Route53 shows it. @example 'Z0123456789ABCDEFGHIJ' */
        id: z
          .string()
          .regex(/^Z[A-Z0-9]{1,31}$/, { message: 'must be a hosted zone id such as Z0123456789ABCDEFGHIJ' }),
        /** The zone's name: `domain` itself or a parent of it. @example 'example.com' */
        name: dnsName.min(1),
      })
      .strict(),
    /** The VPC and how tasks reach the internet and AWS APIs. */
    network: z
      .object({
        /** Availability zones. @default 2 */
        azs: z.number().int().min(2).max(3).optional(),
        /** How private tasks reach AWS APIs and the internet. @default 'nat-instance' */
        egress: z.enum(EGRESS_STRATEGIES).optional(),
        /** VPC CIDR. @default '10.0.0.0/16' */
        cidr: cidr.optional(),
      })
      .strict()
      .optional(),
    /** The internet-facing Application Load Balancer. */
    alb: z
      .object({
        /** Sources allowed to reach ports 80 and 443. @default ['0.0.0.0/0'] */
        allowedCidrs: z.array(cidr).min(1).optional(),
        /** Keeps the load balancer from being deleted by a stack update or delete. @default true */
        deletionProtection: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** Where logs go and how long they are kept. */
    logs: z
      .object({
        /**
         * Days CloudWatch keeps container logs. The seed chose 1 day for cost; Control Tower's
         * CT.CLOUDWATCH.PR.2 wants 365 or more. See docs/compliance.md. @default 1
         */
        retentionDays: z
          .number()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            message: `is not a CloudWatch retention period; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
          })
          .optional(),
        /**
         * Days VPC flow logs and WAF logs are kept (in S3 and CloudWatch), apart from the app's
         * logs: an incident is often found weeks after it happened. @default 90
         */
        securityRetentionDays: z
          .number()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            message: `is not a CloudWatch retention period; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
          })
          .optional(),
      })
      .strict()
      .optional(),
    /** DynamoDB tables the app owns (partition key `pk`, sort key `sk`, both strings). */
    tables: z.record(name('table name'), z.object({}).strict()).optional(),
    /**
     * ECS Exec (`aws ecs execute-command`) instead of SSH. Off by default: CloudTrail records who
     * started a session, but not what ran in it (docs/compliance.md). @default false
     */
    exec: z.boolean().optional(),
    /** GuardDuty Runtime Monitoring sidecar for Fargate. @default false */
    guardDuty: z.boolean().optional(),
    /**
     * An AWS WAF web ACL with AWS managed rule groups and a per-IP rate limit in front of the ALB;
     * `{ rateLimit }` sets the requests one IP may send in 5 minutes before it is blocked.
     * @default false
     * @example { rateLimit: 500 }
     */
    waf: z
      .union([
        z.boolean(),
        z
          .object({
            /** Requests per IP per 5 minutes. @default 2000 */
            rateLimit: z.number().int().min(100).max(2_000_000_000).optional(),
          })
          .strict(),
      ])
      .optional(),
    /** The compliance checks `berth check` runs on the synthesized templates (docs/compliance.md). */
    compliance: z
      .object({
        /** cdk-nag packs that must report zero unacknowledged findings. @default all four */
        packs: z.array(z.enum(COMPLIANCE_PACKS)).optional(),
        /** AWS Control Tower proactive controls (cfn-guard). @default true */
        controlTower: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** The app's containers by service id: one ECS service, one task definition and one image each. */
    services: z
      .record(name('service name'), ServiceSchema)
      .refine((s) => Object.keys(s).length > 0, { message: 'declare at least one service' }),
    /**
     * Deployed environments, each with only what differs from the values above (docs/stages-and-ci.md):
     * account, region, domain, egress, log retention, WAF, load balancer, and per service cpu, memory,
     * scaling, Spot, environment values and secret references. `--stage` picks one; every one is
     * validated. @example { dev: { env: { account: '111111111111' }, domain: 'dev.cruddur.example.com' }, prod: {} }
     */
    stages: z
      .record(name('stage name'), StageSchema)
      .refine((s) => Object.keys(s).length > 0, { message: 'declare at least one stage, or remove stages' })
      .optional(),
    /** The stage a command acts on without `--stage`; with `stages`, one of them. @default 'prod' */
    defaultStage: name('defaultStage').optional(),
  })
  .strict();

export const BerthConfigSchema = BerthConfigSchemaBase.superRefine(checkAcrossFields);

/** Rules that span several fields; each issue carries the path a user must edit. */
function checkAcrossFields(config: z.output<typeof BerthConfigSchemaBase>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const hostOwners = new Map<string, string[]>();
  for (const [id, svc] of Object.entries(config.services)) {
    const at = ['services', id];
    for (const [i, p] of (svc.permissions ?? []).entries()) {
      if (!config.tables?.[p.table])
        issue([...at, 'permissions', i, 'table'], `table '${p.table}' is not declared; add it under tables`);
    }
    for (const [i, callee] of (svc.calls ?? []).entries()) {
      const where = [...at, 'calls', i];
      if (callee === id)
        issue(
          where,
          `${id} calls itself; a service reaches its own tasks without Service Connect, remove '${callee}'`,
        );
      else if (!config.services[callee])
        issue(
          where,
          `'${callee}' is not a service in this config; use one of ${
            Object.keys(config.services)
              .filter((s) => s !== id)
              .join(', ') || '(none)'
          } or remove it`,
        );
    }
    if (svc.route) {
      const key = `${svc.route.host} ${(svc.route.paths ?? []).join(',')}`;
      hostOwners.set(key, [...(hostOwners.get(key) ?? []), id]);
    }
  }
  for (const [key, owners] of hostOwners) {
    if (owners.length > 1)
      issue(
        ['services', owners[1]!, 'route'],
        `routes the same host and paths (${key.trim()}) as ${owners[0]}`,
      );
  }
  // A traffic-shifting release checks new tasks from AWS Lambda through the test listener (8443),
  // open to alb.allowedCidrs: a narrowed list would fail every check and roll every release back.
  const cidrs = config.alb?.allowedCidrs ?? DEFAULTS.alb.allowedCidrs;
  const shifting = Object.entries(config.services).find(
    ([, svc]) => (svc.release?.strategy ?? DEFAULTS.service.release.strategy) !== 'rolling',
  );
  if (shifting && !cidrs.includes('0.0.0.0/0'))
    issue(
      ['alb', 'allowedCidrs'],
      `services.${shifting[0]}.release.strategy '${shifting[1].release!.strategy}' checks new tasks from AWS Lambda through port 8443, which this list closes to it; allow 0.0.0.0/0 or use 'rolling' (docs/releases.md)`,
    );
  const routed = Object.values(config.services).filter((s) => s.route);
  if (routed.length > 0 && !routed.some((s) => s.route?.host === '@' && !s.route.paths?.length))
    issue(
      ['services'],
      "one service needs route { host: '@' } without paths: it answers the apex name (any other name gets the fixed 404)",
    );
  const zone = config.hostedZone.name;
  // A domain that is not one was said once, under domain: no second problem about the zone.
  const domainValid = DOMAIN_PATTERN.test(config.domain);
  if (domainValid && config.domain !== zone && !config.domain.endsWith(`.${zone}`))
    issue(['hostedZone', 'name'], `${config.hostedZone.name} does not contain ${config.domain}`);
  for (const id of Object.keys(config.services)) {
    if (RESERVED_SERVICE_IDS.includes(id))
      issue(['services', id], `'${id}' is a name berth uses for its own resources; rename the service`);
  }
  const cidrPrefix = Number(config.network?.cidr?.split('/')[1] ?? 16);
  if (cidrPrefix < 16 || cidrPrefix > 18)
    issue(
      ['network', 'cidr'],
      `/${cidrPrefix} cannot hold berth's subnets (a /20 per AZ for tasks, a /24 per AZ for the load balancer); use a /16, /17 or /18`,
    );
}

/**
 * Service ids that would collide with the ids of berth's own constructs and outputs
 * (the app key, network, edge, cluster, tables, the base image repository, the stack outputs);
 * `berth init` renames a service that would take one of them.
 */
export const RESERVED_SERVICE_IDS: readonly string[] = [
  'key',
  'network',
  'edge',
  'cluster',
  'tables',
  'base',
  'cluster-name',
  'load-balancer-dns',
];

export type BerthConfig = z.input<typeof BerthConfigSchema>;
export type ServiceConfig = z.input<typeof ServiceSchema>;

/** Typed helper for `berth.config.ts`: gives editor completion, returns the config unchanged. */
export function defineConfig(config: BerthConfig): BerthConfig {
  return config;
}
