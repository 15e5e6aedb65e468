import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { InVpcProps } from './props.ts';
import { names } from '../naming.ts';
import { acknowledgeShortRetention } from '../log-retention.ts';

export type AppClusterProps = InVpcProps;

/**
 * The ECS cluster: Container Insights, a Service Connect namespace named after the app and stage
 * (the seed's `--service-connect-defaults namespace=cruddur`, per stage: two stages may share an
 * account), and, when a config opts in,
 * ECS Exec sessions encrypted with the app key.
 */
export class AppCluster extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly namespace: servicediscovery.INamespace;

  constructor(scope: Construct, id: string, props: AppClusterProps) {
    super(scope, id);
    const { config, vpc, key } = props;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: names.cluster(config),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
      // Session logging records what a shell prints through `script` and `cat`, which berth's
      // images do not have: it would log nothing. CloudTrail's ExecuteCommand events are the
      // audit trail instead (docs/compliance.md).
      ...(config.exec ? { executeCommandConfiguration: { logging: ecs.ExecuteCommandLogging.NONE } } : {}),
    });
    if (config.exec) {
      // Set on the resource, not through CDK's kmsKey, which would also grant every task role
      // kms:GenerateDataKey; tasks only decrypt the session (WebService grants kms:Decrypt).
      (this.cluster.node.defaultChild as ecs.CfnCluster).addPropertyOverride(
        'Configuration.ExecuteCommandConfiguration.KmsKeyId',
        key.keyArn,
      );
    }

    // Container Insights creates this group on first use, unencrypted and kept forever; made here
    // first, it has the app key and the app's retention.
    const insights = new logs.LogGroup(this, 'InsightsLogs', {
      logGroupName: `/aws/ecs/containerinsights/${names.cluster(config)}/performance`,
      encryptionKey: key,
      retention: config.logs.retentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.cluster.node.addDependency(insights);
    acknowledgeShortRetention(
      insights,
      config.logs.retentionDays,
      'logs.retentionDays',
      'Container Insights metrics',
    );

    this.namespace = this.cluster.addDefaultCloudMapNamespace({
      name: names.namespace(config),
      type: servicediscovery.NamespaceType.HTTP,
      useForServiceConnect: true,
    });

    // GuardDuty's managed Fargate agent attaches to clusters tagged this way once Runtime
    // Monitoring is on in the account (an account-level setting berth does not own).
    if (config.guardDuty) Tags.of(this.cluster).add('GuardDutyManaged', 'true');
  }
}
