export { DEFAULTS } from './defaults.ts';
export { ConfigError, type ConfigIssue } from './errors.ts';
export {
  configBaseDir,
  DEFAULT_CONFIG_FILE,
  loadConfig,
  loadEveryStage,
  type EveryStage,
  parseConfig,
  validateStage,
  type LoadOptions,
} from './load.ts';
export type {
  CompliancePack,
  EgressStrategy,
  ImageSource,
  ReleaseStrategy,
  ResolvedRelease,
  ResolvedConfig,
  ResolvedService,
  SecretRef,
  StageSummary,
  VerifyRequest,
} from './normalize.ts';
export { normalizeConfig } from './normalize.ts';
export { configJsonSchema } from './json-schema.ts';
export { listenerRules, NOT_FOUND, type ListenerRules } from './routing.ts';
export type { StageConfig } from './stage-schema.ts';
export { releaseChecks, requireService, shiftsTraffic } from './services.ts';
export {
  BerthConfigSchema,
  COMPLIANCE_PACKS,
  DOMAIN_PATTERN,
  EGRESS_STRATEGIES,
  ENV_NAME_PATTERN,
  FARGATE_SIZES,
  LOG_RETENTION_DAYS,
  NAME_PATTERN,
  RELEASE_STRATEGIES,
  RESERVED_SERVICE_IDS,
  defineConfig,
  type BerthConfig,
  type ServiceConfig,
} from './schema.ts';
