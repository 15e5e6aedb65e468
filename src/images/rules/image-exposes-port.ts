import { compliant, type ImageRule } from './rule.ts';

/** EXPOSE documents the port the task definition maps; a mismatch means the load balancer probes nothing. */
export const ImageExposesPort: ImageRule = {
  id: 'ImageExposesPort',
  level: 'error',
  description: "The image EXPOSEs the service's port from the config.",
  fix: 'Add `EXPOSE <port>` with services.<id>.port to the final stage (or correct the port in the config).',
  evaluate: (image, { port }) => {
    if (port === undefined) return { status: 'not-applicable', reason: 'no service port to compare with' };
    const exposed = image.config.exposedPorts.map((p) => p.split('/')[0]);
    return exposed.includes(String(port))
      ? compliant
      : {
          status: 'non-compliant',
          problems: [
            {
              message: `port ${port} is not exposed (EXPOSE ${image.config.exposedPorts.join(' ') || 'none'})`,
            },
          ],
        };
  },
};
