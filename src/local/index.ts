export { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from './ports.ts';
export { remoteRestart, remoteStatus, remoteStop, runningSupervisor } from './control.ts';
export { startDetached, type DetachOptions } from './detach.ts';
export { localPlan, type LocalPlan, type LocalPlanOptions } from './plan.ts';
export { edgeRules, route, type EdgeRule, type EdgeRules } from './edge/rules.ts';
export { TargetGroup, type HealthCheckSettings, type TargetHealth } from './edge/target-group.ts';
export { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineChoice, type EngineName } from './engines/index.ts';
export { discoveryVariable, rewriteDomain } from './environment/service-environment.ts';
export {
  AlreadyRunningError,
  MissingSecretError,
  NotRunningError,
  SupervisorDiedError,
  SupervisorUnreachableError,
  TaskFailedError,
} from './errors.ts';
export { type LocalEvent, type LocalEventCode, type Notify } from './events.ts';
export { statePaths, type StatePaths } from './state/state-dir.ts';
export { trustCommands } from './tls/certificates.ts';
export { checkUpOptions, LocalRun, up, type UpOptions } from './supervisor.ts';
export type {
  LocalStatus,
  ReleaseStatus,
  RestartOptions,
  RunPhase,
  ServiceStatus,
  TaskStatus,
} from './status.ts';
