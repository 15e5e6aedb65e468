import { UsageError } from '../shared/errors.ts';
import type { ResolvedConfig, ResolvedService } from './normalize.ts';

/**
 * The service a flag or command names, or a UsageError (exit 2) that lists the services there are.
 * One message for every place a user names a service: `--scale`, `--service`, `--base-image
 * SERVICE=...`, `berth restart SERVICE`.
 */
export function requireService(
  config: ResolvedConfig,
  id: string,
  options: {
    /** How the user wrote it, e.g. `--scale web=...`; the message starts with it. */
    readonly flag?: string;
    /** Only services berth builds (with `image.context`). */
    readonly built?: boolean;
  } = {},
): ResolvedService {
  const among = options.built ? config.services.filter((s) => s.image.kind === 'build') : config.services;
  const service = among.find((s) => s.id === id);
  if (service) return service;
  throw new UsageError(
    `${options.flag ? `${options.flag}: ` : ''}no service '${id}'${options.built ? ' with image.context' : ''} in this config (services: ${among.map((s) => s.id).join(', ')})`,
  );
}
