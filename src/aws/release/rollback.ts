import { requireService, type ResolvedConfig, type ResolvedService } from '../../config/index.ts';
import { shiftsTraffic } from '../../config/services.ts';
import { names } from '../../infra/naming.ts';
import type { AwsNotify } from '../events.ts';
import type { ReleaseApi } from './api.ts';
import { releaseProgress } from './progress.ts';

export interface RollbackOptions {
  readonly api: ReleaseApi;
  readonly notify: AwsNotify;
  /** Only this service. @default every service of the stage */
  readonly service?: string;
}

export type RollbackAction =
  /** A traffic-shifting release in progress: StopServiceDeployment ROLLBACK; blue still runs and takes the traffic back. */
  | 'stopped-release'
  /** UpdateService to the task definition registered before the current one. */
  | 'previous-task-definition'
  /** No earlier task definition in the family: nothing to go back to. */
  | 'nothing-earlier';

export interface ServiceRollback {
  readonly service: string;
  readonly action: RollbackAction;
  readonly from?: string;
  readonly to?: string;
  readonly deploymentArn?: string;
}

export interface RollbackResult {
  readonly stage: string;
  readonly services: readonly ServiceRollback[];
}

const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);

/**
 * `berth rollback`: back to the previous version at once. A traffic-shifting release still in flight
 * is stopped with ECS's ROLLBACK (blue never stopped, so traffic moves back without new tasks);
 * otherwise the service is updated to the task definition registered before its current one, which
 * ECS rolls out with the service's own strategy. Either way CloudFormation still holds the newer
 * template: the next `berth deploy` deploys it again (docs/releases.md).
 */
export async function rollback(config: ResolvedConfig, options: RollbackOptions): Promise<RollbackResult> {
  const { api, notify } = options;
  const services: readonly ResolvedService[] = options.service
    ? [requireService(config, options.service)]
    : config.services;
  const done: ServiceRollback[] = [];
  for (const service of services) {
    const ecsService = names.service(config, service);
    if (shiftsTraffic(service)) {
      const d = await api.latestDeployment(ecsService);
      if (d && IN_FLIGHT.has(d.status)) {
        await api.stopWithRollback(d.arn);
        notify({
          level: 'info',
          code: 'aws.rollback.stop',
          message: `${service.id}: stopped the release in flight (${releaseProgress(d).text}); ECS moves traffic back to blue`,
          data: { service: service.id, deployment: d.arn },
        });
        done.push({ service: service.id, action: 'stopped-release', deploymentArn: d.arn });
        continue;
      }
    }
    const { current, previous } = await api.taskDefinitions(ecsService);
    if (!previous) {
      notify({
        level: 'warn',
        code: 'aws.rollback.nothing',
        message: `${service.id}: no task definition before ${current ?? 'the current one'}; nothing to roll back to`,
        data: { service: service.id },
      });
      done.push({ service: service.id, action: 'nothing-earlier', ...(current ? { from: current } : {}) });
      continue;
    }
    await api.deployTaskDefinition(ecsService, previous);
    notify({
      level: 'info',
      code: 'aws.rollback.update',
      message: `${service.id}: ${short(current)} -> ${short(previous)}, rolled out with the service's ${service.release.strategy} strategy`,
      data: { service: service.id, from: current, to: previous },
    });
    done.push({
      service: service.id,
      action: 'previous-task-definition',
      ...(current ? { from: current } : {}),
      to: previous,
    });
  }
  return { stage: config.stage, services: done };
}

const short = (arn: string | undefined) => arn?.split('/').pop() ?? 'none';
