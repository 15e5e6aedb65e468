import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  ClusterNotFoundException,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ServiceNotFoundException,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/naming.ts';
import { clientConfig } from '../clients.ts';

/** One ECS service deployment, as much of it as berth reads (ECS DescribeServiceDeployments). */
export interface ServiceDeploymentView {
  readonly arn: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly lifecycleStage?: string;
  readonly createdAt?: Date;
  /** The new revision's share of production and test traffic, in %. */
  readonly productionPercent?: number;
  readonly testPercent?: number;
  /** The new service revision (ECS service revision ARN). */
  readonly targetRevision?: string;
  readonly runningTasks?: number;
  readonly requestedTasks?: number;
  readonly alarms?: {
    readonly status?: string;
    readonly names: readonly string[];
    readonly triggered: readonly string[];
  };
  readonly rollbackReason?: string;
  /** Lifecycle hooks ECS ran or runs, with their status (FAILED, TIMED_OUT, ...). */
  readonly hooks: readonly { readonly status?: string; readonly target?: string }[];
}

export interface AlarmView {
  readonly name: string;
  readonly state: string;
  /** CloudWatch's own sentence, with the datapoints and the threshold. */
  readonly reason?: string;
}

/** One line the verifier hook logged for a revision: its requests and what they answered. */
export interface VerifierRecord {
  readonly service: string;
  readonly revision?: string;
  readonly hookStatus?: string;
  readonly results?: readonly {
    readonly method: string;
    readonly path: string;
    readonly expected: number;
    readonly status?: number;
    readonly ms?: number;
    readonly problem?: string;
  }[];
}

/**
 * The AWS calls a release makes, behind one interface: the SDK here, a stand-in in tests (moto
 * 5.2.1 has no ECS service deployments; docs/testing.md).
 */
export interface ReleaseApi {
  /** The newest deployment of an ECS service, or none. */
  latestDeployment(ecsService: string): Promise<ServiceDeploymentView | undefined>;
  alarms(names: readonly string[]): Promise<AlarmView[]>;
  verifierRecords(revisionArn: string, sinceMs: number): Promise<VerifierRecord[]>;
  /** StopServiceDeployment with ROLLBACK: ECS puts the source revision back and moves traffic to it. */
  stopWithRollback(deploymentArn: string): Promise<void>;
  /** The service's current task definition and the one registered before it in its family. */
  taskDefinitions(ecsService: string): Promise<{ current?: string; previous?: string }>;
  /** UpdateService to a task definition (a rolling service's rollback). */
  deployTaskDefinition(ecsService: string, taskDefinition: string): Promise<void>;
  destroy(): void;
}

export function sdkReleaseApi(config: ResolvedConfig): ReleaseApi {
  const aws = clientConfig(config);
  const ecs = new ECSClient(aws);
  const cloudwatch = new CloudWatchClient(aws);
  const logs = new CloudWatchLogsClient(aws);
  const cluster = names.cluster(config);
  return {
    async latestDeployment(service) {
      let listed;
      try {
        listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults: 1 }));
      } catch (err) {
        // A first deploy: CloudFormation has not created the cluster or the service yet.
        if (err instanceof ServiceNotFoundException || err instanceof ClusterNotFoundException)
          return undefined;
        throw err;
      }
      const arn = listed.serviceDeployments?.[0]?.serviceDeploymentArn;
      if (!arn) return undefined;
      const described = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
      );
      const d = described.serviceDeployments?.[0];
      if (!d) return undefined;
      const target = d.targetServiceRevision;
      return {
        arn,
        status: d.status ?? 'PENDING',
        ...(d.statusReason ? { statusReason: d.statusReason } : {}),
        ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
        ...(d.createdAt ? { createdAt: d.createdAt } : {}),
        ...(target?.requestedProductionTrafficWeight !== undefined
          ? { productionPercent: target.requestedProductionTrafficWeight }
          : {}),
        ...(target?.requestedTestTrafficWeight !== undefined
          ? { testPercent: target.requestedTestTrafficWeight }
          : {}),
        ...(target?.arn ? { targetRevision: target.arn } : {}),
        ...(target?.runningTaskCount !== undefined ? { runningTasks: target.runningTaskCount } : {}),
        ...(target?.requestedTaskCount !== undefined ? { requestedTasks: target.requestedTaskCount } : {}),
        ...(d.alarms
          ? {
              alarms: {
                ...(d.alarms.status ? { status: d.alarms.status } : {}),
                names: d.alarms.alarmNames ?? [],
                triggered: d.alarms.triggeredAlarmNames ?? [],
              },
            }
          : {}),
        ...(d.rollback?.reason ? { rollbackReason: d.rollback.reason } : {}),
        hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
          ...(h.status ? { status: h.status } : {}),
          ...(h.targetArn ? { target: h.targetArn } : {}),
        })),
      };
    },
    async alarms(alarmNames) {
      if (alarmNames.length === 0) return [];
      const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...alarmNames] }));
      return (out.MetricAlarms ?? []).map((a) => ({
        name: a.AlarmName ?? '',
        state: a.StateValue ?? 'INSUFFICIENT_DATA',
        ...(a.StateReason ? { reason: a.StateReason } : {}),
      }));
    },
    async verifierRecords(revisionArn, sinceMs) {
      const out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: names.releaseVerifierLogGroup(config),
          startTime: sinceMs,
          filterPattern: `"${revisionArn}"`,
        }),
      );
      return (out.events ?? []).flatMap((e) => {
        try {
          return [JSON.parse(e.message ?? '') as VerifierRecord];
        } catch {
          return [];
        }
      });
    },
    async stopWithRollback(serviceDeploymentArn) {
      await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' }));
    },
    async taskDefinitions(service) {
      const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const current = described.services?.[0]?.taskDefinition;
      if (!current) return {};
      const family = current.split('/').pop()!.split(':')[0]!;
      const listed = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: 100 }),
      );
      const arns = (listed.taskDefinitionArns ?? []).filter(
        (a) => a.split('/').pop()!.split(':')[0] === family,
      );
      const index = arns.indexOf(current);
      const previous = index >= 0 ? arns[index + 1] : undefined;
      return { current, ...(previous ? { previous } : {}) };
    },
    async deployTaskDefinition(service, taskDefinition) {
      await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
    },
    destroy() {
      ecs.destroy();
      cloudwatch.destroy();
      logs.destroy();
    },
  };
}
