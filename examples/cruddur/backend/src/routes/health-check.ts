import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** Answers load balancer and container probes; touches nothing, so it stays cheap and never flaps. */
export const healthCheckRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/health-check',
    {
      // Probes arrive every few seconds; logging each at info would drown the lines that matter.
      config: { accessLog: 'debug' },
      schema: { response: { 200: Type.Object({ success: Type.Literal(true) }) } },
    },
    async () => ({ success: true as const }),
  );
};
