import { STATUS_CODES } from 'node:http';
import path from 'node:path';

import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';

import { NOT_HTTP_URL, httpOrigin } from './http-origin.ts';
import {
  IMMUTABLE,
  REVALIDATE,
  SERVER_ERROR_BODY,
  isPageNavigation,
  notFoundBody,
  pathnameOf,
  type RuntimeConfig,
} from './responses.ts';
import { securityHeaderOptions } from './security-headers.ts';

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

/**
 * The frontend's production server: the built SPA with an index.html fallback, the runtime
 * config at /config.json, cache headers by kind of file, and security headers on everything.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const staticDir = path.resolve(options.staticDir);
  const assetsDir = path.join(staticDir, 'assets') + path.sep;
  const { backendUrl } = options;
  const backendOrigin = backendUrl === undefined ? undefined : httpOrigin(backendUrl);
  if (backendUrl !== undefined && backendOrigin === undefined)
    throw new TypeError(`backendUrl ${JSON.stringify(backendUrl)} ${NOT_HTTP_URL}`);

  const app = Fastify({ logger: options.logger ?? false });

  await app.register(fastifyHelmet, securityHeaderOptions(backendOrigin));

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
    async (_request, reply): Promise<RuntimeConfig> => {
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
    return reply.code(404).send(notFoundBody(request.method, request.url));
  });

  // Client errors say what was wrong; server errors are logged and say nothing internal.
  // `error` is the status's reason phrase, as in every other error body, never a class name.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // @fastify/static refuses a path that climbs above the root (`/../etc/passwd`) with a bare 403;
    // nginx calls it a bad request (400), and so does this server, saying why.
    if (error.statusCode === 403 && climbsAboveRoot(pathnameOf(request.url)))
      return reply.code(400).send({
        statusCode: 400,
        error: STATUS_CODES[400],
        message: `The path of GET ${pathnameOf(request.url)} climbs above the site's root with '..'`,
      });
    const statusCode = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply
      .code(statusCode)
      .send(
        statusCode >= 500
          ? SERVER_ERROR_BODY
          : { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: error.message },
      );
  });

  return app;
}

/** A path with a `..` segment, as sent or percent-encoded (`/%2e%2e/`). */
function climbsAboveRoot(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  return decoded.split(/[/\\]/).includes('..');
}
