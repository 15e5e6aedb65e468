import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { names } from '../../infra/naming.ts';
import { firstLine } from '../../shared/errors.ts';
import type { AlarmView, ReleaseApi } from './api.ts';
import { releaseProgress, type ReleasePhase } from './progress.ts';

/** A traffic-shifting service's release, as `berth status --stage` shows it. */
export interface ReleaseStatus {
  readonly strategy: string;
  /** The newest ECS deployment's phase and the new version's share of production traffic. */
  readonly phase?: ReleasePhase;
  readonly productionPercent?: number;
  readonly text?: string;
  readonly deploymentArn?: string;
  /** The rollback alarms (berth's two and the config's own) and their states. */
  readonly alarms: readonly AlarmView[];
  /** Set when ECS or CloudWatch could not be read. */
  readonly unreadable?: string;
}

/** The alarm names a service's release rolls back on, in the order ECS lists them. */
export function releaseAlarmNames(config: ResolvedConfig, service: ResolvedService): string[] {
  return [
    names.releaseAlarm(config, service, 'error-rate'),
    names.releaseAlarm(config, service, 'p99'),
    ...service.release.alarms.names,
  ];
}

export async function releaseStatus(
  api: ReleaseApi,
  config: ResolvedConfig,
  service: ResolvedService,
): Promise<ReleaseStatus> {
  const strategy = service.release.strategy;
  try {
    const [d, alarms] = await Promise.all([
      api.latestDeployment(names.service(config, service)),
      api.alarms(releaseAlarmNames(config, service)),
    ]);
    if (!d) return { strategy, alarms };
    const progress = releaseProgress(d);
    return {
      strategy,
      phase: progress.phase,
      ...(progress.productionPercent !== undefined ? { productionPercent: progress.productionPercent } : {}),
      text: progress.text,
      deploymentArn: d.arn,
      alarms,
    };
  } catch (err) {
    return { strategy, alarms: [], unreadable: firstLine(err) };
  }
}
