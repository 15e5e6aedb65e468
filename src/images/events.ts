import type { ProgressEvent } from '../shared/events.ts';

/**
 * Everything the image commands report while they work. The core emits these; the CLI decides how
 * they look; tests record them. Codes are declared here once.
 */
export const IMAGE_EVENT_CODES = [
  'base.rootfs',
  'base.pushed',
  'mirror.copy',
  'mirror.done',
  'build.login',
  'build.start',
  'build.done',
  'check.read',
  'check.sbom',
] as const;

export type ImageEventCode = (typeof IMAGE_EVENT_CODES)[number];

export type ImageEvent = ProgressEvent<ImageEventCode>;

export type ImageNotify = (event: ImageEvent) => void;

export const quiet: ImageNotify = () => {};
