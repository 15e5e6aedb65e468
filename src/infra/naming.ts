import type { ResolvedConfig, ResolvedService } from '../config/index.ts';

/** Names that the stacks, the image commands and the local runtime must agree on, derived in one place. */
export const names = {
  registryStack: (config: ResolvedConfig) => `${pascal(config.app)}Registry`,
  appStack: (config: ResolvedConfig) => pascal(config.app),
  repository: (config: ResolvedConfig, service: ResolvedService) => `${config.app}/${service.id}`,
  baseRepository: (config: ResolvedConfig) => `${config.app}/base`,
  cluster: (config: ResolvedConfig) => config.app,
  service: (config: ResolvedConfig, service: ResolvedService) => `${config.app}-${service.id}`,
  logGroup: (config: ResolvedConfig, service: ResolvedService) => `/berth/${config.app}/${service.id}`,
  tableEnv: (table: string) => `${table.toUpperCase().replace(/-/g, '_')}_TABLE`,
};

export function pascal(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}
