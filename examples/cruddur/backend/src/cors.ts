import createError from '@fastify/error';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from './settings.js';

/**
 * CORS for the frontend, which calls the API from its own origin (`https://<domain>` calling
 * `https://api.<domain>`). Written here rather than taken from @fastify/cors: that plugin copies its
 * options and builds the route options twice on every request, in a hook of its own, which measured
 * 1.1-1.7 µs of CPU per request, a tenth of a health check (backend README, Performance). What the
 * frontend needs is small: the listed origins reflected with `Vary: Origin`, one exposed header, and
 * preflights.
 */

/** The methods and request headers the frontend sends (frontend/src/app/api/client.ts). */
const ALLOWED_METHODS = 'GET, HEAD, POST';
const ALLOWED_HEADERS = 'Content-Type, X-Request-Id';
/** So that browser code may read a response's request id (to quote it when reporting a failure). */
const EXPOSED_HEADERS = 'X-Request-Id';
/** Browsers cache a preflight this long (seconds); Chromium caps it at 7200. */
const PREFLIGHT_MAX_AGE = '600';

export const InvalidPreflight = createError(
  'CRUDDUR_INVALID_PREFLIGHT',
  'An OPTIONS request is answered only as a CORS preflight; send Origin and Access-Control-Request-Method headers',
  400,
);

/**
 * Adds the CORS headers to an answer; meant for the app's one `onSend` hook, so every answer
 * (errors and 404s included) carries them without a hook of its own.
 */
export type CorsHeaders = (request: FastifyRequest, reply: FastifyReply) => void;

export function corsHeaders(origins: Settings['corsOrigins']): CorsHeaders {
  if (origins === '*') {
    return (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    };
  }
  // No origin listed: no answer depends on the Origin header, so there is nothing to say.
  if (origins.length === 0) return () => {};
  const allowed = new Set(origins);
  return (request, reply) => {
    // The answer depends on Origin even when it is absent or unlisted: a cache must not reuse it.
    const vary = reply.getHeader('vary');
    reply.header('vary', vary === undefined ? 'Origin' : `${String(vary)}, Origin`);
    const origin = request.headers.origin;
    if (origin !== undefined && allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    }
  };
}

/**
 * Answers preflights on every path: 204 with the allowed methods and headers. Whether the origin
 * may call is said by `corsHeaders` in the `onSend` hook, so an unlisted origin gets no
 * Access-Control-Allow-Origin and the browser stops there.
 */
export function corsPreflight(app: FastifyInstance): void {
  app.options('*', async (request, reply) => {
    if (
      request.headers.origin === undefined ||
      request.headers['access-control-request-method'] === undefined
    )
      throw new InvalidPreflight();
    return reply
      .code(204)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', PREFLIGHT_MAX_AGE)
      .send();
  });
}
