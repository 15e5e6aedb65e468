import { compliant, type ImageRule } from './rule.ts';

/**
 * EXPOSE documents the port the image's server listens on; the task definition maps the config's
 * port and the load balancer probes it. When they differ, every health check fails with nothing
 * naming the cause, so the mismatch is an error here. berth sets PORT to the config's port, but a
 * server with a fixed port (nginx, whose `listen` reads no environment) does not follow it.
 */
export const ImageExposesPort: ImageRule = {
  id: 'ImageExposesPort',
  level: 'error',
  description: "The image EXPOSEs the service's port from the config.",
  fix: "Make them agree: set services.<id>.port to the port the image's server listens on and EXPOSEs, or change the image to listen on and `EXPOSE` the config's port (a server with a fixed port, like nginx, needs its own configuration changed; PORT alone does not move it).",
  evaluate: (image, { port, service }) => {
    if (port === undefined) return { status: 'not-applicable', reason: 'no service port to compare with' };
    const problem = exposedPortProblem(image.config.exposedPorts, port, service);
    return problem === undefined ? compliant : { status: 'non-compliant', problems: [{ message: problem }] };
  },
};

/**
 * What is wrong when `port` is not among the image's EXPOSEd ports (`3000/tcp` or `3000`), else
 * undefined. Shared with `berth up`'s container engines, which check it before starting a task.
 */
export function exposedPortProblem(
  exposedPorts: readonly string[],
  port: number,
  service?: string,
): string | undefined {
  const exposed = [...new Set(exposedPorts.map((p) => p.split('/')[0]))];
  if (exposed.includes(String(port))) return undefined;
  const field = service === undefined ? "the config's port" : `services.${service}.port`;
  const ports =
    exposed.length === 0
      ? 'EXPOSEs no port'
      : `EXPOSEs ${exposed.join(', ')}, the port${exposed.length === 1 ? '' : 's'} its server listens on`;
  return `${field} is ${port}, but the image ${ports}: the load balancer and health checks would probe ${port}, where nothing listens`;
}
