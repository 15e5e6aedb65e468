import type { ResolvedConfig, ResolvedService } from './normalize.ts';

/**
 * What a request for no route gets, from the ALB's default action and from `berth up`'s edge
 * alike: the fixed plain-text 404 (the body is the edge's `<status> <reason>` line).
 */
export const NOT_FOUND = { status: 404, contentType: 'text/plain', body: '404 Not Found\n' } as const;

export interface ListenerRules {
  /** The apex service (route `@` without paths): its host rule comes after every other rule. */
  readonly fallback: ResolvedService | undefined;
  /** Host (and path) rules in order of evaluation: rules with paths first, then by service id. */
  readonly rules: readonly ResolvedService[];
}

/**
 * The listener rules of a config, in one order shared by the ALB (src/infra) and the local
 * edge (src/local), so that both route a request to the same service.
 */
export function listenerRules(config: ResolvedConfig): ListenerRules {
  const routed = config.services.filter((s) => s.route);
  const fallback = routed.find((s) => s.route?.label === '@' && s.route.paths.length === 0);
  const rules = routed
    .filter((s) => s !== fallback)
    .sort((a, b) => (b.route?.paths.length ?? 0) - (a.route?.paths.length ?? 0) || a.id.localeCompare(b.id));
  return { fallback, rules };
}
