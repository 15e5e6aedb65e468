// Shared by the Fastify server and the nginx image's njs script (njs 0.7 has no URL class), so it
// is plain string work in the JavaScript both engines run.

const HTTP_URL =
  /^(https?):\/\/(?:[^@/?#]*@)?(\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?)(?::(\d{0,5}))?(?:[/?#]|$)/i;
/** Why a BACKEND_URL is refused, after its name and value. */
export const NOT_HTTP_URL = 'must be an http:// or https:// URL';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/**
 * The origin of an http(s) URL, as `new URL(url).origin` gives it (scheme and host lower-cased,
 * credentials and a default port dropped), or undefined when it is not an http(s) URL with an
 * ASCII host: the only backends the page may be pointed at.
 * @example httpOrigin('HTTPS://API.example.com:443/v1') === 'https://api.example.com'
 */
export function httpOrigin(url: string): string | undefined {
  const match = HTTP_URL.exec(url);
  if (match === null) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  const host = (match[2] as string).toLowerCase();
  const port = match[3] === undefined || match[3] === '' ? '' : String(Number(match[3]));
  if (port !== '' && Number(port) > 65535) return undefined;
  return port === '' || port === DEFAULT_PORTS[scheme]
    ? `${scheme}://${host}`
    : `${scheme}://${host}:${port}`;
}
