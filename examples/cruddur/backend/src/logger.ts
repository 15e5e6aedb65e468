import type { FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Settings } from './settings.js';

/**
 * The backend's pino logger. Lines go to stdout through an asynchronous destination: a write queues
 * the line and returns, and the queue is written out while the event loop serves other requests,
 * so a slow log reader (a pipe to the container runtime) never stalls a request. Under load the
 * queue gathers many lines per write. What is queued is written out before the process ends:
 * `flushLog` on a clean stop, and pino's exit hook (a synchronous flush) on any `process.exit`.
 */
export function createLogger(settings: Pick<Settings, 'logLevel'>, stream?: DestinationStream): Logger {
  return pino(
    {
      level: settings.logLevel,
      serializers: {
        // Only error lines carry the request (an access line has its own few fields): enough to replay it.
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: request.url,
          host: request.host,
          remoteAddress: request.ip,
          headers: request.headers,
        }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    stream ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Writes out every queued line; resolves once they are written (or the destination has gone). */
export function flushLog(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
