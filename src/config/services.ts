import { UsageError } from '../shared/errors.ts';
import type { ResolvedConfig, ResolvedService, VerifyRequest } from './normalize.ts';

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

/** A release that moves traffic between two fleets (blue-green, canary, linear), not a rolling one. */
export function shiftsTraffic(service: Pick<ResolvedService, 'release'>): boolean {
  return service.release.strategy !== 'rolling';
}

/**
 * What a release asks of green before any user reaches it, in AWS (the verifier hook) and locally
 * (the edge's test listener): the health path, then each of `release.verify`.
 */
export function releaseChecks(
  service: Pick<ResolvedService, 'healthCheck' | 'release'>,
): readonly VerifyRequest[] {
  return [{ method: 'GET', path: service.healthCheck.path, status: 200 }, ...service.release.verify];
}
