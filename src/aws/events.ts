import type { ProgressEvent } from '../shared/events.ts';

/**
 * Everything the AWS commands report while they work. The core emits these; the CLI decides how
 * they look; tests record them. Codes are declared here once.
 */
export const AWS_EVENT_CODES = [
  'publish.tag',
  'publish.build',
  'publish.login',
  'publish.skip',
  'publish.push',
  'publish.pushed',
  'scan.wait',
  'scan.complete',
  'scan.incomplete',
  'verify.attempt',
  'verify.ok',
  'verify.failed',
  'status.read',
  'logs.poll',
  'exec.task',
  'exec.session',
] as const;

export type AwsEventCode = (typeof AWS_EVENT_CODES)[number];

export type AwsEvent = ProgressEvent<AwsEventCode>;

export type AwsNotify = (event: AwsEvent) => void;
