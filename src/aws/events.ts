import type { ProgressEvent } from '../shared/events.ts';

/**
 * Everything the AWS commands report while they work. The core emits these; the CLI decides how
 * they look; tests record them. Codes are `aws.<concern>.<what>`; the ones the CloudFormation side
 * emits are listed in AWS_EVENT_CODES, and the image/verify/status modules add their own under the
 * same prefix (the type stays open so each concern declares its codes next to its code).
 */
export const AWS_EVENT_CODES = [
  'aws.identity',
  'aws.step.start',
  'aws.step.done',
  'aws.bootstrap.policy',
  'aws.bootstrap.done',
  'aws.stack.start',
  'aws.stack.event',
  'aws.stack.failed-event',
  'aws.stack.done',
  'aws.stack.no-change',
  'aws.stack.cancel',
  'aws.asset.publish',
  'aws.ecs.rollout',
  'aws.destroy.protection-off',
  'aws.toolkit.warn',
  'aws.toolkit.debug',
] as const;

export type AwsEventCode = (typeof AWS_EVENT_CODES)[number] | `aws.${string}`;

export type AwsEvent = ProgressEvent<AwsEventCode>;

/** Where the AWS core sends its events; the CLI renders them, tests record them. */
export type AwsNotify = (event: AwsEvent) => void;

export const silentAws: AwsNotify = () => {};
