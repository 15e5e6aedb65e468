import { InvalidArgumentError } from 'commander';
import type { BaseImageChoice } from '../images/index.ts';

/** What one of `--base-image` / `--build-image` collected: a base for every service and bases per service. */
export interface BaseImageFlag {
  readonly all?: string;
  readonly services: Readonly<Record<string, string>>;
}

/** A service id as the config allows it. */
const SERVICE_ID = /^[a-z][a-z0-9-]*$/;
const EXAMPLE = 'e.g. frontend=127.0.0.1:5000/berth/nginx-runtime@sha256:...';

/**
 * Parses one `[SERVICE=]REF` (repeatable): REF alone is the base of every service; SERVICE=REF
 * that service's, over the other. Image references never contain `=`, so the forms cannot mix up.
 */
export function collectBaseImage(value: string, previous: BaseImageFlag = { services: {} }): BaseImageFlag {
  const eq = value.indexOf('=');
  if (eq < 0) {
    if (value.trim() === '') throw new InvalidArgumentError(`write REF or SERVICE=REF, ${EXAMPLE}`);
    if (previous.all !== undefined)
      throw new InvalidArgumentError(
        `a base for every service is already given (${previous.all}); name the service for the other: SERVICE=REF`,
      );
    return { ...previous, all: value };
  }
  const service = value.slice(0, eq);
  const ref = value.slice(eq + 1);
  if (!SERVICE_ID.test(service))
    throw new InvalidArgumentError(
      `'${service}' is not a service id (lower-case letters, digits and -); write SERVICE=REF, ${EXAMPLE}`,
    );
  if (ref.trim() === '') throw new InvalidArgumentError(`no image after '${service}='; ${EXAMPLE}`);
  if (previous.services[service] !== undefined)
    throw new InvalidArgumentError(
      `'${service}' already has a base (${previous.services[service]}); give each service once`,
    );
  return { ...previous, services: { ...previous.services, [service]: ref } };
}

/** The two flags as the core's option: BUILD_IMAGE from --build-image, BASE_IMAGE from --base-image. */
export function baseImageChoice(build?: BaseImageFlag, runtime?: BaseImageFlag): BaseImageChoice {
  const services: Record<string, { build?: string; runtime?: string }> = {};
  for (const [id, ref] of Object.entries(build?.services ?? {}))
    services[id] = { ...services[id], build: ref };
  for (const [id, ref] of Object.entries(runtime?.services ?? {}))
    services[id] = { ...services[id], runtime: ref };
  return {
    ...(build?.all ? { build: build.all } : {}),
    ...(runtime?.all ? { runtime: runtime.all } : {}),
    ...(Object.keys(services).length > 0 ? { services } : {}),
  };
}

export const BASE_IMAGE_HELP =
  'runtime base pinned by digest (BASE_IMAGE) for every service, or SERVICE=REF for one (repeatable); overrides the config';
export const BUILD_IMAGE_HELP =
  'build-stage base pinned by digest (BUILD_IMAGE) for every service, or SERVICE=REF for one (repeatable); overrides the config';
