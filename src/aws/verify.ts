import tls from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import type { ResolvedConfig, ResolvedService } from '../config/index.ts';
import type { VerifyResult, VerifyTarget } from './deploy/steps.ts';
import type { AwsNotify } from './events.ts';

export interface VerifyOptions {
  readonly targets: readonly VerifyTarget[];
  /** Tries per target before it counts as failed. @default 10 */
  readonly attempts?: number;
  /** Between two tries. @default 3000 */
  readonly intervalMs?: number;
  /** A CA (PEM) to trust besides the system's, for tests against a local HTTPS server. */
  readonly ca?: string;
  /**
   * `host:port` every target connects to instead of its own host name (curl's `--connect-to`): a
   * local HTTPS server standing in for the public URLs in tests. The request is otherwise the real
   * one: the URL's host name is sent as SNI and Host, and the certificate must be valid for it.
   */
  readonly connectTo?: string;
  /** Per request. @default 10000 */
  readonly timeoutMs?: number;
  readonly notify: AwsNotify;
}

type Check = VerifyResult['checks'][number];

/** The public URL of a routed service (`https://<domain>` for the apex, `https://api.<domain>`); none when internal. */
export function publicUrl(service: ResolvedService): string | undefined {
  return service.route ? `https://${service.route.host}` : undefined;
}

/** What a deploy verifies from outside: each routed service's health path through its public URL. */
export function verifyTargets(config: ResolvedConfig): VerifyTarget[] {
  return config.services
    .filter((s) => s.route)
    .map((s) => ({ service: s.id, url: `${publicUrl(s)}${s.healthCheck.path}` }));
}

/**
 * GETs each target URL until it answers 2xx or the attempts run out, all targets at once; a
 * fresh deployment behind a load balancer can take a few tries (targets registering, DNS).
 */
export async function verifyDeployment(options: VerifyOptions): Promise<VerifyResult> {
  // A `ca` replaces Node's trusted roots: keep them, and add the one given.
  const tlsOptions = options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {};
  const dispatcher = new Agent({
    connect: options.connectTo ? connectingTo(options.connectTo, tlsOptions) : tlsOptions,
    // One connection per try: a keep-alive socket to a target that was replaced would lie.
    pipelining: 0,
  });
  try {
    const checks = await Promise.all(options.targets.map((target) => verifyOne(target, options, dispatcher)));
    return { ok: checks.every((c) => c.ok), checks };
  } finally {
    await dispatcher.close();
  }
}

/** A connector that dials `address` (host:port) for every origin, keeping the origin's name for TLS. */
function connectingTo(address: string, tlsOptions: buildConnector.BuildOptions): buildConnector.connector {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = address.slice(at + 1);
  if (at <= 0 || !/^\d+$/.test(port)) throw new Error(`connectTo ${address}: expected host:port`);
  const connect = buildConnector(tlsOptions);
  return (origin, callback) =>
    connect({ ...origin, hostname: host, port, servername: origin.servername ?? origin.hostname }, callback);
}

async function verifyOne(target: VerifyTarget, options: VerifyOptions, dispatcher: Agent): Promise<Check> {
  const attempts = options.attempts ?? 10;
  const intervalMs = options.intervalMs ?? 3_000;
  const started = Date.now();
  let status: number | undefined;
  let error: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await request(target.url, {
        method: 'GET',
        dispatcher,
        headersTimeout: options.timeoutMs ?? 10_000,
        bodyTimeout: options.timeoutMs ?? 10_000,
        headers: { accept: 'application/json, text/html;q=0.9' },
      });
      await response.body.dump();
      status = response.statusCode;
      error = status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
    } catch (e) {
      status = undefined;
      error = describe(e);
    }
    const ms = Date.now() - started;
    if (error === undefined) {
      options.notify({
        level: 'info',
        code: 'aws.verify.ok',
        message: `${target.service}: ${target.url} answered ${status} (try ${attempt}, ${ms} ms)`,
        data: { service: target.service, url: target.url, status, attempt, ms },
      });
      return { service: target.service, url: target.url, status: status!, attempts: attempt, ok: true, ms };
    }
    if (attempt < attempts) {
      options.notify({
        level: 'info',
        code: 'aws.verify.attempt',
        message: `${target.service}: ${target.url}: ${error} (try ${attempt} of ${attempts})`,
        data: { service: target.service, url: target.url, attempt, error },
      });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
  const ms = Date.now() - started;
  options.notify({
    level: 'error',
    code: 'aws.verify.failed',
    message: `${target.service}: ${target.url} not healthy after ${attempts} tries: ${error}`,
    data: { service: target.service, url: target.url, status, attempts, error },
  });
  return {
    service: target.service,
    url: target.url,
    ...(status === undefined ? {} : { status }),
    attempts,
    ok: false,
    ...(error === undefined ? {} : { error }),
    ms,
  };
}

/** undici wraps the system error (ECONNREFUSED, a certificate problem) in `cause`. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
