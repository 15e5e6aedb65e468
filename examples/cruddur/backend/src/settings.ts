import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The backend's configuration, read once from the environment at startup. */
export interface Settings {
  /** TCP port to listen on (`PORT`). @default 4567 */
  readonly port: number;
  /** Address to bind (`HOST`); a container needs every interface. @default '0.0.0.0' */
  readonly host: string;
  /** `NODE_ENV`; `production` refuses a wildcard CORS origin. @default 'development' */
  readonly nodeEnv: 'development' | 'production' | 'test';
  /**
   * Browser origins allowed to call the API (`FRONTEND_URL`, comma separated), or `'*'` for any
   * origin outside production. Empty: no cross-origin access.
   * @default []
   * @example ['https://cruddur.example.com']
   */
  readonly corsOrigins: readonly string[] | '*';
  /** DynamoDB table for activities (`ACTIVITIES_TABLE`); unset keeps them in memory. @default undefined */
  readonly activitiesTable: string | undefined;
  /** Pino log level (`LOG_LEVEL`). @default 'info' */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** How long a shutdown may take before the process gives up and exits 1 (`SHUTDOWN_TIMEOUT_MS`). @default 10000 */
  readonly shutdownTimeoutMs: number;
}

/** The environment is wrong; `problems` holds one line per variable, naming it and the fix. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

const quoted = (input: unknown): string => JSON.stringify(input);

function integerIn(min: number, max: number, noun: string, unit = '') {
  return z
    .string()
    .refine((raw) => /^\d{1,15}$/.test(raw) && Number(raw) >= min && Number(raw) <= max, {
      error: (issue) => `${quoted(issue.input)} is not ${noun}; use an integer ${min}..${max}${unit}`,
    })
    .transform(Number);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `${quoted(issue.input)} is not supported; use one of ${values.join(', ')}`,
  });
}

function origins(raw: string, ctx: z.RefinementCtx<string>): readonly string[] | '*' {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) {
    if (entries.length === 1) return '*';
    ctx.addIssue({
      code: 'custom',
      message: `${quoted(raw)} mixes "*" with origins; use "*" alone or list origins`,
    });
    return z.NEVER;
  }
  const result: string[] = [];
  for (const entry of entries) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(entry)} is not an origin with an http:// or https:// scheme; use e.g. https://cruddur.example.com`,
      });
      return z.NEVER;
    }
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(entry)} has a path; use the origin alone: ${url.origin}`,
      });
      return z.NEVER;
    }
    result.push(url.origin);
  }
  return result;
}

const environment = z.object({
  PORT: integerIn(1, 65535, 'a port').default(4567),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, {
      error: (issue) =>
        `${quoted(issue.input)} is not an address; use an IP address or host name such as 0.0.0.0`,
    })
    .default('0.0.0.0'),
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  FRONTEND_URL: z.string().transform(origins).default([]),
  ACTIVITIES_TABLE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
      error: (issue) =>
        `${quoted(issue.input)} is not a DynamoDB table name; use 3..255 characters of A-Z, a-z, 0-9, _, - and .`,
    })
    .optional(),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: integerIn(1, 120_000, 'a timeout', ' (milliseconds)').default(10_000),
});

/**
 * Reads and checks every setting; throws a SettingsError listing each bad variable.
 * An empty variable counts as unset, as `docker run -e NAME=` and env files produce them.
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const vars = parsed.data;
  if (vars.NODE_ENV === 'production' && vars.FRONTEND_URL === '*') {
    throw new SettingsError([
      'FRONTEND_URL: "*" lets every website call the API and is refused when NODE_ENV=production; list the frontend origins, e.g. https://cruddur.example.com',
    ]);
  }
  return {
    port: vars.PORT,
    host: vars.HOST,
    nodeEnv: vars.NODE_ENV,
    corsOrigins: vars.FRONTEND_URL,
    activitiesTable: vars.ACTIVITIES_TABLE,
    logLevel: vars.LOG_LEVEL,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
  };
}
