import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { localDomain } from '../edge/rules.ts';

export interface EnvironmentContext {
  /** The edge's HTTPS port: URLs of the config's domain in values are rewritten to it. */
  readonly httpsPort: number;
  /** Where each service is reached by the others, e.g. `{ backend: 'http://backend:4567' }`. */
  readonly discovery: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, string>>;
}

/** `SERVICE_<NAME>_URL`, the variable through which a service finds another, in every engine. */
export function discoveryVariable(service: string): string {
  return `SERVICE_${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

/**
 * The variables one task gets, in order of precedence (last wins): the config's `environment`
 * (URLs of the config's domain pointed at the local edge), one `SERVICE_<NAME>_URL` per service,
 * the secrets, then `.berth/environment.local.json`. The engine adds PORT.
 */
export function serviceEnvironment(
  config: ResolvedConfig,
  service: ResolvedService,
  context: EnvironmentContext,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.environment))
    env[key] = rewriteDomain(value, config.domain, localDomain(config.app), context.httpsPort);
  for (const [id, url] of Object.entries(context.discovery)) env[discoveryVariable(id)] = url;
  Object.assign(env, context.secrets, context.overrides);
  return env;
}

/**
 * `https://api.cruddur.example.com/x` becomes `https://api.cruddur.localhost:8443/x`: the edge stands
 * in for the ALB, so the public URLs in a config (such as the backend's FRONTEND_URL) must name it.
 */
export function rewriteDomain(value: string, domain: string, local: string, httpsPort: number): string {
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`https?://((?:[a-z0-9-]+\\.)*)${escaped}(?::\\d+)?(?![a-z0-9.-])`, 'gi');
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return value.replace(pattern, (_match, sub: string) => `https://${sub}${local}${port}`);
}
