import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { clientConfig } from '../clients.ts';
import type { AwsNotify } from '../events.ts';

export interface ServiceRollout {
  readonly service: string;
  readonly ecsService: string;
  readonly state: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS' | 'MISSING';
  readonly running: number;
  readonly desired: number;
  readonly taskDefinition?: string;
  readonly reason?: string;
  /** Why recent tasks stopped, from ECS, when the rollout did not complete. */
  readonly stoppedTasks: readonly string[];
}

export interface RolloutOptions {
  readonly notify: AwsNotify;
  /** @default 15 minutes: ECS's circuit breaker decides well within it for a berth service */
  readonly timeoutMs?: number;
  /** @default 10 s */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Waits, bounded, until the primary deployment of each service (ECS DescribeServices) is COMPLETED
 * or FAILED. ECS's waiter `servicesStable` counts tasks only and cannot say a rollout failed; the
 * rollout state can, and the circuit breaker has then already put the previous version back.
 */
export async function waitForRollouts(
  config: ResolvedConfig,
  options: RolloutOptions,
): Promise<ServiceRollout[]> {
  const ecs = new ECSClient(clientConfig(config));
  const cluster = names.cluster(config);
  const byName = new Map(config.services.map((s) => [names.service(config, s), s.id]));
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  const interval = options.intervalMs ?? 10_000;
  try {
    for (;;) {
      const described = await ecs.send(
        new DescribeServicesCommand({ cluster, services: [...byName.keys()] }),
      );
      const rollouts: ServiceRollout[] = [...byName].map(([ecsService, service]) => {
        const s = described.services?.find((x) => x.serviceName === ecsService);
        if (!s) return { service, ecsService, state: 'MISSING', running: 0, desired: 0, stoppedTasks: [] };
        const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
        return {
          service,
          ecsService,
          state: (primary?.rolloutState as ServiceRollout['state'] | undefined) ?? 'IN_PROGRESS',
          running: s.runningCount ?? 0,
          desired: s.desiredCount ?? 0,
          ...(s.taskDefinition ? { taskDefinition: s.taskDefinition } : {}),
          ...(primary?.rolloutStateReason ? { reason: primary.rolloutStateReason } : {}),
          stoppedTasks: [],
        };
      });
      const pending = rollouts.filter((r) => r.state === 'IN_PROGRESS');
      const timedOut = Date.now() + interval > deadline;
      if (pending.length === 0 || timedOut || options.signal?.aborted) {
        const done: ServiceRollout[] = [];
        for (const r of rollouts) {
          done.push(
            r.state === 'COMPLETED'
              ? r
              : { ...r, stoppedTasks: await stoppedReasons(ecs, cluster, r.ecsService) },
          );
        }
        return done;
      }
      options.notify({
        level: 'info',
        code: 'aws.ecs.rollout',
        message: pending
          .map((r) => `${r.service}: ${r.running}/${r.desired} running, rolling out`)
          .join('; '),
        data: { pending: pending.map((r) => r.service) },
      });
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  } finally {
    ecs.destroy();
  }
}

/** The last few stopped tasks' reasons: what ECS says when a new version never became healthy. */
async function stoppedReasons(ecs: ECSClient, cluster: string, serviceName: string): Promise<string[]> {
  try {
    const arns =
      (await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'STOPPED' }))).taskArns ??
      [];
    if (arns.length === 0) return [];
    const tasks =
      (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 5) }))).tasks ?? [];
    return tasks.map((t) => t.stoppedReason ?? t.stopCode ?? 'stopped').filter(Boolean);
  } catch {
    // The reasons add to a failure already reported; not being able to read them must not hide it.
    return [];
  }
}
