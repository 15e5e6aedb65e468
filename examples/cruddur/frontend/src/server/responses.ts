// What the frontend answers besides its files: cache policy, the index.html fallback for page
// navigations and the JSON error bodies. Shared by the Fastify server and the nginx image's njs
// script, so both answer alike: plain functions, no Node.js APIs.

/** Vite puts content-hashed files here; their names change whenever their bytes do. */
export const ASSETS_PREFIX = '/assets/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
// Everything else (index.html, config.json, favicon) is revalidated on every use, so a new
// deployment shows up on the next load.
export const REVALIDATE = 'no-cache';
export const JSON_TYPE = 'application/json; charset=utf-8';

export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

/** What the page reads at /config.json. */
export interface RuntimeConfig {
  readonly backendUrl: string | null;
}

/**
 * A browser asking for a client-side route (/activities/abc) gets index.html; a missing file
 * (/assets/old.js, /favicon.ico) or an API-style request gets a plain 404, so a stale asset
 * never comes back as HTML with a 200. `url` is the request target as sent (path and query).
 */
export function isPageNavigation(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const pathname = pathnameOf(url);
  if (pathname.startsWith(ASSETS_PREFIX)) return false;
  if (hasExtension(pathname)) return false;
  return accept !== undefined && accept.indexOf('text/html') !== -1;
}

export function notFoundBody(method: string, url: string): ErrorBody {
  return { statusCode: 404, error: 'Not Found', message: `Nothing at ${method} ${pathnameOf(url)}` };
}

/** Server errors say nothing internal; the details go to the log. */
export const SERVER_ERROR_BODY: ErrorBody = {
  statusCode: 500,
  error: 'Internal Server Error',
  message: 'Something went wrong.',
};

export function pathnameOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** `path.posix.extname(pathname) !== ''`, without node:path. */
function hasExtension(pathname: string): boolean {
  const trimmed = pathname.replace(/\/+$/, '');
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return base !== '..' && base.lastIndexOf('.') > 0;
}
