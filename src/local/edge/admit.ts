import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fixedRaw, IDLE_TIMEOUT_MS } from './forward.ts';

/** The ALB's limit on the request line (its limit on all headers is in LISTENER_OPTIONS). */
const MAX_REQUEST_LINE = 16 * 1024;

/** Server options of every berth listener (edge and Service Connect): the ALB's idle timeout and header limit. */
export const LISTENER_OPTIONS = { keepAliveTimeout: IDLE_TIMEOUT_MS, maxHeaderSize: 64 * 1024 } as const;

/**
 * What a listener answers before any request handler, as the ALB does: CONNECT is a bad request
 * (the ALB does not tunnel; Node would drop the connection), and so is what Node cannot parse.
 */
export function refuseUnhandled(...servers: http.Server[]): void {
  for (const server of servers) {
    server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => fixedRaw(socket, 400));
    server.on('clientError', answerClientError);
  }
}

/**
 * What the ALB refuses before any listener rule, as a status for the edge's own answer, or
 * undefined for a request that goes on. A request in absolute form (`GET http://host/path`) is
 * rewritten in place to the origin form a target expects, with its authority as the Host: RFC 9112
 * section 3.2.2 has a server route by that authority and ignore the Host header.
 */
export function admit(req: http.IncomingMessage): 400 | 405 | undefined {
  // The ALB does not support TRACE (405); CONNECT never gets here (refuseUnhandled).
  if (req.method === 'TRACE') return 405;
  const url = req.url ?? '';
  if (url.length > MAX_REQUEST_LINE) return 400;
  // RFC 9110 section 7.2: more than one Host is a bad request, whichever one a router would pick.
  const raw = req.rawHeaders;
  let host = -1;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== 4 || raw[i]!.toLowerCase() !== 'host') continue;
    if (host !== -1) return 400;
    host = i;
  }
  if (url.charCodeAt(0) === 0x2f /* '/' */) return hostIsValid(req, host) ? undefined : 400;
  return toOriginForm(req, url, host) ? undefined : 400;
}

/**
 * RFC 9112 section 3.2: an HTTP/1.1 request has a Host, and it is an authority (`host[:port]`).
 * Node's server checks the first for plain requests only, not for an Upgrade; the second nobody
 * does, and the Host is copied into the 301's Location and matched against the listener rules:
 * `shop.localhost@evil.example`, `evil.example/x?`, `.shop.localhost` or `shop.localhost:abc` are
 * refused here rather than redirected elsewhere or routed to the default service.
 */
function hostIsValid(req: http.IncomingMessage, host: number): boolean {
  if (host === -1) return req.httpVersionMajor === 1 && req.httpVersionMinor === 0;
  return AUTHORITY.test(req.rawHeaders[host + 1]!);
}

/** A host: a name of non-empty dot-separated labels (a final dot allowed), or an IPv6 literal. */
const HOST = String.raw`(?:[a-z0-9_~!$&'()*+,;=%-]+(?:\.[a-z0-9_~!$&'()*+,;=%-]+)*\.?|\[[0-9a-f:.]+\])`;
/** An optional port: digits only. */
const PORT = String.raw`(?::\d{0,5})?`;
/** A Host header's value. */
const AUTHORITY = new RegExp(`^${HOST}${PORT}$`, 'i');
/** `http(s)://` then an authority: a name or IPv4 address, or an IPv6 literal, with an optional port. */
const ABSOLUTE_FORM = new RegExp(`^https?://${HOST}${PORT}(?=[/?#]|$)`, 'i');

/**
 * `http://host:port/path?q` becomes `/path?q` with `Host: host:port`; the path and query stay as
 * sent (a URL parser would resolve dot segments and re-encode, routing differently from the same
 * path in origin form). Anything else, `*` included, and an empty host or one with user
 * information (RFC 9110 section 4.2.1), is refused.
 */
function toOriginForm(req: http.IncomingMessage, url: string, host: number): boolean {
  const match = ABSOLUTE_FORM.exec(url);
  if (!match) return false;
  const authority = match[0].slice(match[0].indexOf('//') + 2);
  let rest = url.slice(match[0].length);
  const fragment = rest.indexOf('#');
  if (fragment !== -1) rest = rest.slice(0, fragment);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  if (host === -1) req.rawHeaders.push('Host', authority);
  else req.rawHeaders[host + 1] = authority;
  req.headers.host = authority;
  return true;
}

/**
 * Node's answers to a request it could not parse, but as the ALB answers: a header block over the
 * limit is a 400, not Node's 431. A socket that has already answered something is only closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Socket).bytesWritten > 0) {
    socket.destroy();
    return;
  }
  fixedRaw(socket, err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400);
}
