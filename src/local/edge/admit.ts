import type http from 'node:http';

/** The ALB's limit on the request line (its limit on all headers, 64 KB, is the servers' maxHeaderSize). */
export const MAX_REQUEST_LINE = 16 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * What the ALB refuses before any listener rule, as a status for the edge's own answer, or
 * undefined for a request that goes on. A request in absolute form (`GET http://host/path`) is
 * rewritten in place to the origin form a target expects, with its authority as the Host: RFC 9112
 * section 3.2.2 has a server route by that authority and ignore the Host header.
 */
export function admit(req: http.IncomingMessage): 400 | 405 | undefined {
  // The ALB does not support TRACE (405); Node's server hands CONNECT to its own event.
  if (req.method === 'TRACE') return 405;
  const url = req.url ?? '';
  if (url.length > MAX_REQUEST_LINE) return 400;
  // RFC 9110 section 7.2: more than one Host is a bad request, whichever one a router would pick.
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts += 1;
  if (hosts > 1) return 400;
  if (url.charCodeAt(0) === 0x2f /* '/' */) return undefined;
  return toOriginForm(req, url) ? undefined : 400;
}

/** `http://host:port/path?q` becomes `/path?q` with `Host: host:port`; anything else (`*`) is refused. */
function toOriginForm(req: http.IncomingMessage, url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  req.url = `${parsed.pathname}${parsed.search}`;
  const raw = req.rawHeaders;
  const at = raw.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === 'host');
  if (at === -1) raw.push('Host', parsed.host);
  else raw[at + 1] = parsed.host;
  req.headers.host = parsed.host;
  return true;
}
