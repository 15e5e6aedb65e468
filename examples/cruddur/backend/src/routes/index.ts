import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { activityRoutes, type ActivityRoutesOptions } from './activities.js';
import { healthCheckRoutes } from './health-check.js';

export const routes: FastifyPluginAsyncTypebox<ActivityRoutesOptions> = async (app, options) => {
  await app.register(healthCheckRoutes);
  await app.register(activityRoutes, options);
};
