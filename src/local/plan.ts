import type { ResolvedConfig, ResolvedService } from '../config/index.ts';
import { edgeRules, type EdgeRules } from './edge/rules.ts';
import { DEFAULT_ENGINE, type EngineChoice } from './engines/engine.ts';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from './ports.ts';

/** The options of `berth up` that decide what listens where and how many tasks run. */
export interface LocalPlanOptions {
  /** @default 'process' */
  readonly engine?: EngineChoice;
  /** Tasks per service, overriding `scaling.desired`. @example { backend: 3 } */
  readonly scale?: Readonly<Record<string, number>>;
  /** @default 8080 */
  readonly httpPort?: number;
  /** @default 8443 */
  readonly httpsPort?: number;
  /**
   * Ports of the process engine's Service Connect listeners: each service's own port from the
   * config, or free ports (for tests that run several `up` at once). @default 'config'
   */
  readonly discoveryPorts?: 'config' | 'free';
}

export interface PlannedService {
  readonly service: ResolvedService;
  /** Tasks to run: `--scale`, else `scaling.desired`. */
  readonly desired: number;
  /**
   * The process engine's shared Service Connect listener on 127.0.0.1: the service's own port, or
   * 0 (a free port, picked at listen) with `--discovery-ports free`.
   */
  readonly discoveryPort: number;
}

/**
 * What `berth up` will run, before anything starts: the edge's ports and rules, each service's task
 * count and listener port. The supervisor starts from it and `berth diagram --local` draws it, so
 * the picture of the local run is the run's own plan.
 */
export interface LocalPlan {
  readonly app: string;
  readonly engine: EngineChoice;
  readonly edge: { readonly httpPort: number; readonly httpsPort: number; readonly rules: EdgeRules };
  readonly services: readonly PlannedService[];
}

export function localPlan(config: ResolvedConfig, options: LocalPlanOptions = {}): LocalPlan {
  return {
    app: config.app,
    engine: options.engine ?? DEFAULT_ENGINE,
    edge: {
      httpPort: options.httpPort ?? DEFAULT_HTTP_PORT,
      httpsPort: options.httpsPort ?? DEFAULT_HTTPS_PORT,
      rules: edgeRules(config),
    },
    services: config.services.map((service) => ({
      service,
      desired: options.scale?.[service.id] ?? service.scaling.desired,
      discoveryPort: options.discoveryPorts === 'free' ? 0 : service.port,
    })),
  };
}
