import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { InVpcProps } from './props.ts';
import { names } from '../naming.ts';

export type AppClusterProps = InVpcProps;

/**
 * The ECS cluster: Container Insights, a Service Connect namespace named after the app
 * (the seed's `--service-connect-defaults namespace=cruddur`), and ECS Exec sessions
 * encrypted with the app key and logged to an encrypted group.
 */
export class AppCluster extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly namespace: servicediscovery.INamespace;
  /** Where ECS Exec sessions are logged; undefined when exec is off. */
  public readonly execLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppClusterProps) {
    super(scope, id);
    const { config, vpc, key } = props;

    const execLogs = (this.execLogGroup = config.exec
      ? new logs.LogGroup(this, 'ExecSessions', {
          encryptionKey: key,
          retention: config.logs.retentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        })
      : undefined);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: names.cluster(config),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
      ...(execLogs
        ? {
            executeCommandConfiguration: {
              kmsKey: key,
              logging: ecs.ExecuteCommandLogging.OVERRIDE,
              logConfiguration: { cloudWatchLogGroup: execLogs, cloudWatchEncryptionEnabled: true },
            },
          }
        : {}),
    });

    this.namespace = this.cluster.addDefaultCloudMapNamespace({
      name: config.app,
      type: servicediscovery.NamespaceType.HTTP,
      useForServiceConnect: true,
    });

    // GuardDuty's managed Fargate agent attaches to clusters tagged this way once Runtime
    // Monitoring is on in the account (an account-level setting berth does not own).
    if (config.guardDuty) Tags.of(this.cluster).add('GuardDutyManaged', 'true');
  }
}
