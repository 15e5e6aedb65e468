import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { DestinationStream } from 'pino';
import { AccessLog } from './access-log.js';
import { corsHeaders, corsPreflight } from './cors.js';
import { handleError, handleNotFound } from './errors.js';
import { useJsonBodyParser } from './json-body.js';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH } from './limits.js';
import { createLogger } from './logger.js';
import { routes } from './routes/index.js';
import type { Settings } from './settings.js';
import { createActivityStore, type ActivityStore } from './store/index.js';
import { validatorCompiler } from './validation.js';

/** What the app needs from outside besides settings; tests swap these, production uses the defaults. */
export interface AppDeps {
  /** @default DynamoDB when `settings.activitiesTable` is set, else a seeded memory store */
  readonly store?: ActivityStore;
  /** Where JSON log lines go. @default stdout, written asynchronously */
  readonly logStream?: DestinationStream;
}

export interface AppOptions {
  readonly settings: Settings;
  /** @default `createActivityStore(settings)` */
  readonly store?: ActivityStore;
}

/** A caller's id is kept only when it cannot break a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(request: { headers: FastifyRequest['headers'] }): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The application itself: CORS, validation, errors, routes, and the store's lifetime. */
export const cruddurApp: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { settings } = options;
  const store = options.store ?? (await createActivityStore(settings));
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  // Fastify parses text/plain by default; this API only speaks JSON, so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  useJsonBodyParser(app);
  app.addHook('onClose', () => store.close());

  // On close Fastify drops idle keep-alive connections, but one busy with a request stays open after
  // answering and would hold the shutdown until the keep-alive timeout. Telling that client to hang up
  // lets the server finish as soon as the last in-flight response is out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // One hook for every answer, errors and 404s included: the request id, CORS, and the hang-up while
  // closing. A callback-style hook, and one rather than one per concern: each hook costs a turn on
  // every request (measured: the backend README, Performance).
  const cors = corsHeaders(settings.corsOrigins);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    cors(request, reply);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  corsPreflight(app);
  await app.register(routes, { store });

  app.log.info(
    {
      store: settings.activitiesTable === undefined ? 'memory' : 'dynamodb',
      table: settings.activitiesTable,
    },
    'activities store ready',
  );
};

/** A Fastify instance with the app registered, not yet listening: `inject` for tests, `listen` for the server. */
export function buildApp(settings: Settings, deps: AppDeps = {}) {
  const app = Fastify({
    loggerInstance: createLogger(settings, deps.logStream),
    logController: new AccessLog(),
    frameworkErrors: handleError,
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.register(fp(cruddurApp), { settings, ...(deps.store && { store: deps.store }) });
  return app;
}
