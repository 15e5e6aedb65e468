import type { ProgressEvent } from '../shared/events.ts';

/**
 * Everything `berth up` reports while it works. The core emits these; the CLI decides how they
 * look. Codes are declared here once.
 */
export const LOCAL_EVENT_CODES = [
  'state.ready',
  'tls.ca-created',
  'image.build',
  'image.built',
  'engine.network',
  'task.starting',
  'task.healthy',
  'task.unhealthy',
  'task.check-failed',
  'task.draining',
  'task.stopped',
  'task.exited',
  'edge.listening',
  'up.ready',
  'restart.start',
  'restart.done',
  'release.start',
  'release.test-traffic',
  'release.verify-failed',
  'release.shift',
  'release.bake',
  'release.done',
  'release.rolled-back',
  'stop.start',
  'stop.done',
  'cleanup.leftover',
] as const;

export type LocalEventCode = (typeof LOCAL_EVENT_CODES)[number];

export type LocalEvent = ProgressEvent<LocalEventCode>;

/** Where the core sends its events; the CLI renders them, tests record them. */
export type Notify = (event: LocalEvent) => void;

export const silent: Notify = () => {};
