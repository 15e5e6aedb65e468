// Shared by the Fastify server and the nginx image's njs script: plain functions, no Node.js APIs.

// A Host header is a hostname or IP literal with an optional port; anything else (spaces,
// semicolons) could smuggle directives into the policy, so it earns no API source at all.
const HOST_HEADER = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The `connect-src` source for the API, besides 'self'.
 *
 * With BACKEND_URL set it is that URL's origin. Without it the page calls
 * `${location.protocol}//api.${location.host}`; the source `api.<Host header>` has no scheme,
 * and CSP then matches the page's own scheme, so it allows exactly that URL whether the load
 * balancer terminated TLS or not, without trusting X-Forwarded-Proto.
 */
export function apiConnectSource(backendOrigin: string | undefined, host: string | undefined): string {
  if (backendOrigin !== undefined) return backendOrigin;
  return host !== undefined && HOST_HEADER.test(host) ? `api.${host}` : '';
}
