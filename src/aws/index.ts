export {
  bootstrap,
  type BootstrapOptions,
  type BootstrapResult,
  type Change,
} from './bootstrap/bootstrap.ts';
export {
  EXECUTION_POLICY_NAME,
  executionPolicyDocument,
  EXECUTION_ROLE_TRUST_POLICY,
} from './bootstrap/execution-policy.ts';
export { clientConfig, type AwsClientConfig } from './clients.ts';
export {
  deploy,
  type DeployOptions,
  type DeployResult,
  type StackChange,
  type StepTiming,
} from './deploy/deploy.ts';
export type * from './deploy/steps.ts';
export { verifyDeployment, verifyTargets } from './verify.ts';
export { destroy, type DestroyOptions, type DestroyResult } from './destroy.ts';
export type { ImageChange } from './deploy/image-changes.ts';
export { diff, type DiffOptions, type DiffResult, type ResourceChange, type StackDiff } from './diff.ts';
export { AWS_EVENT_CODES, silentAws, type AwsEvent, type AwsEventCode, type AwsNotify } from './events.ts';
export { assertAccount, NoCredentialsError, WrongAccountError, type CallerIdentity } from './identity.ts';
export { BerthIoHost, type ResourceEvent } from './io-host.ts';
export type { TemplateTransform } from './assembly.ts';
export {
  releaseProgress,
  rollback,
  sdkReleaseApi,
  watchReleases,
  type ReleaseApi,
  type ReleasePhase,
  type ReleaseReport,
  type ReleaseStatus,
  type RollbackResult,
  type ServiceDeploymentView,
} from './release/index.ts';
