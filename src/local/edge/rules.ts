import type { ResolvedConfig } from '../../config/index.ts';
import { listenerRules } from '../../config/routing.ts';

/** One listener rule of the local edge, in the ALB's order of evaluation. */
export interface EdgeRule {
  readonly service: string;
  /** Host name under the local domain, e.g. `api.cruddur.localhost`. */
  readonly host: string;
  readonly paths: readonly string[];
}

export interface EdgeRules {
  /** `<app>.localhost`: the config's domain, replaced. */
  readonly domain: string;
  readonly rules: readonly EdgeRule[];
  /** The apex service (route `@` without paths), if any: the ALB's last rule, for the apex host only. */
  readonly fallback: string | undefined;
}

/** The ALB's listener rules (src/config/routing.ts), with the config's domain replaced by `<app>.localhost`. */
export function edgeRules(config: ResolvedConfig): EdgeRules {
  const domain = localDomain(config.app);
  const { fallback, rules: ordered } = listenerRules(config);
  const rules = ordered.map((s) => ({
    service: s.id,
    host: s.route!.label === '@' ? domain : `${s.route!.label}.${domain}`,
    paths: s.route!.paths,
  }));
  return { domain, rules, fallback: fallback?.id };
}

export function localDomain(app: string): string {
  return `${app}.localhost`;
}

/**
 * The service for a request, or undefined for the fixed 404. Only names under the local domain
 * reach the app: in AWS only the domain's DNS records lead to the ALB.
 */
export function route(
  rules: EdgeRules,
  hostHeader: string | undefined,
  url: string | undefined,
): string | undefined {
  const host = hostname(hostHeader);
  const domain = rules.domain;
  const inDomain =
    host === domain ||
    (host.length > domain.length && host.endsWith(domain) && host[host.length - domain.length - 1] === '.');
  if (!inDomain) return undefined;
  let path: string | undefined;
  for (const rule of rules.rules) {
    if (rule.host !== host) continue;
    if (rule.paths.length === 0) return rule.service;
    path ??= pathOf(url);
    if (rule.paths.some((p) => pathMatches(p, path!))) return rule.service;
  }
  // Like the ALB: the apex rule matches the apex host alone; any other name gets the default 404.
  return host === domain ? rules.fallback : undefined;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Host header without port, lower case; `[::1]:8443` becomes `::1`. */
function hostname(hostHeader: string | undefined): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  const name = colon === -1 ? host : host.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

const patterns = new Map<string, RegExp>();

/** ALB path patterns: case sensitive, `*` any characters, `?` exactly one. */
function pathMatches(pattern: string, path: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    patterns.set(pattern, re);
  }
  return re.test(path);
}
