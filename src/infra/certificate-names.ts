// Types from their own module, not the config barrel: config/load.ts calls the stack-size model
// (stack-limits.ts), which counts these certificates.
import type { ResolvedConfig } from '../config/normalize.ts';

/**
 * ACM's default quota of names on one certificate ("Domain names per ACM certificate"). A quota
 * raised by a support case would allow more, but more certificates work on every account: an ALB
 * listener holds up to 25 and picks one by the name the client asks for (SNI).
 */
export const NAMES_PER_CERTIFICATE = 10;

/**
 * The names each of the app's certificates holds, the first name of each being its domain name:
 * exactly the hosts the routes answer on (a wildcard would also vouch for any other name under the
 * domain, served by whatever else might one day hold the key), at most NAMES_PER_CERTIFICATE a
 * certificate. Names fill the certificates in the order of their services' ids (the resolved
 * config's order), the apex first, so a service whose id sorts last changes only the last
 * certificate (ACM replaces a certificate whose names change); within one, the names are sorted,
 * so an app with ten names or fewer has exactly the certificate it had before there could be more.
 */
export function certificateNames(config: ResolvedConfig): string[][] {
  const hosts = routedHosts(config);
  const primary = hosts.includes(config.domain) ? config.domain : (hosts[0] ?? config.domain);
  const names = [primary, ...hostsByService(config).filter((h) => h !== primary)];
  const groups: string[][] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_CERTIFICATE) {
    const [first, ...rest] = names.slice(i, i + NAMES_PER_CERTIFICATE);
    groups.push([first!, ...rest.sort()]);
  }
  return groups;
}

/** The names the app's routes answer on, each once, sorted: one alias record and one certificate name each. */
export function routedHosts(config: ResolvedConfig): string[] {
  return hostsByService(config).sort();
}

/** The names the app's routes answer on, each once, in the order of their services. */
function hostsByService(config: ResolvedConfig): string[] {
  return [...new Set(config.services.flatMap((s) => (s.route ? [s.route.host] : [])))];
}
