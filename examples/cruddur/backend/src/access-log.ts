import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `'debug'` for routes whose requests are not worth a line at info, such as the load
     * balancer's health checks (every few seconds per target). @default 'info'
     */
    accessLog?: 'info' | 'debug';
  }
}

/**
 * Fastify's request lines, made one per request: an access line when the response has gone out,
 * with what an ALB access log plus CloudWatch needs (method, URL, status, duration, and the request
 * id, bound to every line of the request as `reqId`). Fastify's own two lines (`incoming request`
 * with every header, `request completed`) cost a third of a health check's time. Server errors get
 * their own line, with the stack, from the error handler; Fastify's other error lines stay as they are.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log[request.routeOptions.config.accessLog ?? 'info'](line, 'request');
  }
}
