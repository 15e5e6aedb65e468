export { callSupervisor, remoteRestart, remoteStatus, remoteStop, runningSupervisor } from './control.ts';
export { startDetached, type DetachOptions } from './detach.ts';
export { edgeRules, localDomain, route, type EdgeRule, type EdgeRules } from './edge/rules.ts';
export { TargetGroup, type HealthCheckSettings, type TargetHealth } from './edge/target-group.ts';
export { ENGINE_CHOICES, ENGINE_NAMES, type EngineChoice, type EngineName } from './engines/index.ts';
export { discoveryVariable, rewriteDomain } from './environment/service-environment.ts';
export {
  AlreadyRunningError,
  LocalUsageError,
  LocalUserError,
  MissingSecretError,
  NotRunningError,
  TaskFailedError,
} from './errors.ts';
export { LOCAL_EVENT_CODES, type LocalEvent, type LocalEventCode, type Notify } from './events.ts';
export { STATE_DIR_NAME, statePaths, type StatePaths } from './state/state-dir.ts';
export { trustCommands } from './tls/certificates.ts';
export {
  LocalRun,
  up,
  type LocalStatus,
  type RunPhase,
  type ServiceStatus,
  type TaskStatus,
  type UpOptions,
} from './supervisor.ts';
