import { z } from 'zod';

import { NOT_HTTP_URL, httpOrigin } from './http-origin.ts';

/** The production server's settings, read once from the environment. */
export interface ServerEnv {
  /** @default 3000 */
  readonly port: number;
  /** @default '0.0.0.0' (all interfaces, as a container needs) */
  readonly host: string;
  /**
   * Where the page sends API calls, published at /config.json. Unset means the page uses
   * `https://api.<its own host>`.
   * @example 'https://api.example.com'
   */
  readonly backendUrl: string | undefined;
}

/** The environment names a setting that the server can't use. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

// The same test the nginx image applies (http-origin.ts), so both servers accept the same values.
const httpUrl = z.string().refine((value) => httpOrigin(value) !== undefined, NOT_HTTP_URL);

const schema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be 0..65535')
    .max(65535, 'must be 0..65535')
    .default(3000),
  HOST: z.string().min(1, 'must not be empty').default('0.0.0.0'),
  BACKEND_URL: httpUrl.optional(),
});

/** Empty strings count as unset, as `FOO= node server.js` means "no FOO" to most people. */
export function readServerEnv(env: Readonly<Record<string, string | undefined>>): ServerEnv {
  const present = (name: string) => (env[name] === '' ? undefined : env[name]);
  const result = schema.safeParse({
    PORT: present('PORT'),
    HOST: present('HOST'),
    BACKEND_URL: present('BACKEND_URL'),
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new EnvError(`${name}=${JSON.stringify(env[name] ?? '')} ${issue?.message ?? 'is invalid'}`);
  }
  return { port: result.data.PORT, host: result.data.HOST, backendUrl: result.data.BACKEND_URL };
}
