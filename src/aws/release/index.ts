export {
  sdkReleaseApi,
  type AlarmView,
  type ReleaseApi,
  type ServiceDeploymentView,
  type VerifierRecord,
} from './api.ts';
export { explainRollback } from './explain.ts';
export { releaseProgress, type ReleasePhase, type ReleaseProgress } from './progress.ts';
export {
  rollback,
  type RollbackAction,
  type RollbackOptions,
  type RollbackResult,
  type ServiceRollback,
} from './rollback.ts';
export { watchReleases, type ReleaseReport, type WatchOptions } from './watch.ts';
export { releaseAlarmNames, releaseStatus, type ReleaseStatus } from './status.ts';
