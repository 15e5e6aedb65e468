import path from 'node:path';

import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';

import { apiConnectSource } from './content-security-policy.ts';

export interface BuildServerOptions {
  /** The vite build output: index.html, assets/ and the public files. */
  readonly staticDir: string;
  /**
   * Published to the page at /config.json and allowed in `connect-src`.
   * @default undefined: the page calls `api.<its host>`
   */
  readonly backendUrl?: string;
  /** @default false */
  readonly logger?: FastifyServerOptions['logger'];
}

/** Vite puts content-hashed files here; their names change whenever their bytes do. */
const ASSETS_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
// Everything else (index.html, config.json, favicon) is revalidated on every use, so a new
// deployment shows up on the next load.
const REVALIDATE = 'no-cache';

/**
 * The frontend's production server: the built SPA with an index.html fallback, the runtime
 * config at /config.json, cache headers by kind of file, and security headers on everything.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const staticDir = path.resolve(options.staticDir);
  const assetsDir = path.join(staticDir, 'assets') + path.sep;
  const { backendUrl } = options;

  const app = Fastify({ logger: options.logger ?? false });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", (request) => apiConnectSource(backendUrl, request)],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // TLS ends at the load balancer, which redirects http to https. Upgrading here would
        // break a deliberately plain-http BACKEND_URL (a local run on loopback).
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });

  app.get(
    '/config.json',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { backendUrl: { type: ['string', 'null'] } },
            required: ['backendUrl'],
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('Cache-Control', REVALIDATE);
      return { backendUrl: backendUrl ?? null };
    },
  );

  await app.register(fastifyStatic, {
    root: staticDir,
    cacheControl: false,
    setHeaders: (reply, filePath) => {
      reply.header('Cache-Control', filePath.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE);
    },
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isPageNavigation(request.method, request.url, request.headers.accept)) {
      reply.header('Cache-Control', REVALIDATE);
      return reply.sendFile('index.html');
    }
    return reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `Nothing at ${request.method} ${pathnameOf(request.url)}`,
    });
  });

  // Client errors say what was wrong; server errors are logged and say nothing internal.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(statusCode).send({
      statusCode,
      error: statusCode >= 500 ? 'Internal Server Error' : error.name,
      message: statusCode >= 500 ? 'Something went wrong.' : error.message,
    });
  });

  return app;
}

/**
 * A browser asking for a client-side route (/activities/abc) gets index.html; a missing file
 * (/assets/old.js, /favicon.ico) or an API-style request gets a plain 404, so a stale asset
 * never comes back as HTML with a 200.
 */
function isPageNavigation(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const pathname = pathnameOf(url);
  if (pathname.startsWith(ASSETS_PREFIX)) return false;
  if (path.posix.extname(pathname) !== '') return false;
  return accept?.includes('text/html') ?? false;
}

function pathnameOf(url: string): string {
  return url.split('?')[0] ?? '';
}
