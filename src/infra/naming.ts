// Types from their own modules, not the config barrel: config/load.ts calls the stack-size model
// (stack-limits.ts), so a barrel import here would close a loop.
import type { ResolvedConfig, ResolvedService } from '../config/normalize.ts';

/**
 * Names that the stacks, the image commands and the local runtime must agree on, derived in one place.
 *
 * Per stage (`config.stage`: `--stage`, else the config's defaultStage, else 'prod'): the app stack and every named resource in it (cluster,
 * Service Connect namespace, services and task families, log groups, WAF), so stages of one app can
 * share an account (test/infra/stages.test.ts finds no clashing physical name). Per app, shared
 * by its stages: the registry stack and its repositories, so the image a stage tested is the digest
 * another stage runs (tags are immutable, so sharing cannot swap an image under a stage). DNS names
 * come from the config's `domain`: a second stage in one hosted zone needs its own domain.
 */
export const names = {
  registryStack: (config: ResolvedConfig) => `${pascal(config.app)}Registry`,
  appStack: (config: ResolvedConfig) => `${pascal(config.app)}${pascal(config.stage)}`,
  repository: (config: ResolvedConfig, service: ResolvedService) => `${config.app}/${service.id}`,
  baseRepository: (config: ResolvedConfig) => `${config.app}/base`,
  cluster: (config: ResolvedConfig) => `${config.app}-${config.stage}`,
  /** Cloud Map names an HTTP namespace once per account and region: each stage has its own. */
  namespace: (config: ResolvedConfig) => `${config.app}-${config.stage}`,
  service: (config: ResolvedConfig, service: ResolvedService) =>
    `${config.app}-${config.stage}-${service.id}`,
  logGroup: (config: ResolvedConfig, service: ResolvedService) =>
    `/berth/${config.app}/${config.stage}/${service.id}`,
  /** WAF requires its log group names to start with aws-waf-logs-. */
  wafLogGroup: (config: ResolvedConfig) => `aws-waf-logs-${config.app}-${config.stage}`,
  waf: (config: ResolvedConfig) => `${config.app}-${config.stage}-waf`,
  /** What every name of a stage's release alarms starts with (the CI roles read `<prefix>*`). */
  releaseAlarmPrefix: (config: ResolvedConfig) => `${config.app}-${config.stage}-`,
  /** The alarms a traffic-shifting release rolls back on (src/infra/release/alarms.ts). */
  releaseAlarm: (config: ResolvedConfig, service: ResolvedService, kind: 'error-rate' | 'p99') =>
    `${names.releaseAlarmPrefix(config)}${service.id}-release-${kind}`,
  /** The lifecycle hook that runs a release's verify requests against the test listener. */
  releaseVerifier: (config: ResolvedConfig) => `${config.app}-${config.stage}-release-verifier`,
  releaseVerifierLogGroup: (config: ResolvedConfig) =>
    `/berth/${config.app}/${config.stage}/release-verifier`,
  tableEnv: (table: string) => `${table.toUpperCase().replace(/-/g, '_')}_TABLE`,
};

export function pascal(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}
