import type { ResolvedConfig, ResolvedService } from './normalize.ts';

export interface ListenerRules {
  /** The service of the load balancer's default action: route `@` without paths. */
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
