import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { names } from '../../infra/naming.ts';
import { firstLine } from '../../shared/errors.ts';
import type { AwsNotify } from '../events.ts';
import type { ReleaseApi, ServiceDeploymentView } from './api.ts';
import { explainRollback } from './explain.ts';
import { releaseProgress, type ReleasePhase } from './progress.ts';

export interface ReleaseReport {
  readonly service: string;
  readonly ecsService: string;
  /** Absent when ECS started no deployment of this service while berth watched. */
  readonly deploymentArn?: string;
  readonly phase?: ReleasePhase;
  readonly productionPercent?: number;
  /** True when ECS rolled the release back (or could not). */
  readonly failed: boolean;
  /** Why it was rolled back: each alarm and failed verify request, with its numbers. */
  readonly why: readonly string[];
}

export interface WatchOptions {
  readonly api: ReleaseApi;
  readonly notify: AwsNotify;
  readonly services: readonly ResolvedService[];
  /** @default 5 s */
  readonly intervalMs?: number;
  /** Deployments created before this are someone else's. @default now */
  readonly sinceMs?: number;
}

/** A deployment may be stamped a little before berth's clock says it asked for it. */
const CLOCK_SLACK_MS = 60_000;

/**
 * Follows the ECS deployments of traffic-shifting services while CloudFormation updates the stack
 * (CloudFormation waits for them): each new lifecycle stage or traffic split is one `aws.release.stage`
 * event. `stop()` reads once more and reports each service's outcome, explained when rolled back.
 */
export function watchReleases(
  config: ResolvedConfig,
  options: WatchOptions,
): { stop(): Promise<ReleaseReport[]> } {
  const { api, notify } = options;
  const since = options.sinceMs ?? Date.now();
  const interval = options.intervalMs ?? 5_000;
  const watched = options.services.map((s) => ({ service: s.id, ecsService: names.service(config, s) }));
  const latest = new Map<string, ServiceDeploymentView>();
  const shown = new Map<string, string>();
  let unreadable = false;
  let stopping = false;
  let wake: () => void = () => {};

  async function poll(): Promise<void> {
    for (const { service, ecsService } of watched) {
      let d: ServiceDeploymentView | undefined;
      try {
        d = await api.latestDeployment(ecsService);
      } catch (err) {
        if (!unreadable)
          notify({
            level: 'warn',
            code: 'aws.release.unreadable',
            message: `cannot read ${service}'s ECS deployments (${firstLine(err)}); the deploy goes on, its stages unseen`,
            data: { service },
          });
        unreadable = true;
        continue;
      }
      if (!d || (d.createdAt && d.createdAt.getTime() < since - CLOCK_SLACK_MS)) continue;
      latest.set(service, d);
      const progress = releaseProgress(d);
      const key = `${d.arn} ${progress.phase} ${progress.productionPercent ?? ''}`;
      if (shown.get(service) === key) continue;
      shown.set(service, key);
      notify({
        level: progress.phase === 'rolling-back' || progress.phase === 'rollback-failed' ? 'warn' : 'info',
        code: 'aws.release.stage',
        message: `${service}: ${progress.text}`,
        data: {
          service,
          phase: progress.phase,
          productionPercent: progress.productionPercent,
          deployment: d.arn,
        },
      });
    }
  }

  const loop = (async () => {
    while (!stopping) {
      await poll();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake();
      await loop;
      await poll();
      const reports: ReleaseReport[] = [];
      for (const { service, ecsService } of watched) {
        const d = latest.get(service);
        if (!d) {
          reports.push({ service, ecsService, failed: false, why: [] });
          continue;
        }
        const progress = releaseProgress(d);
        const failed =
          progress.phase === 'rolled-back' ||
          progress.phase === 'rollback-failed' ||
          progress.phase === 'rolling-back';
        reports.push({
          service,
          ecsService,
          deploymentArn: d.arn,
          phase: progress.phase,
          ...(progress.productionPercent !== undefined
            ? { productionPercent: progress.productionPercent }
            : {}),
          failed,
          why: failed ? await explainRollback(api, d, since) : [],
        });
      }
      return reports;
    },
  };
}
