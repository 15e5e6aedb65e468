import { ArnFormat, CfnOutput, type CfnResource, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/index.ts';
import { AppCluster } from '../constructs/cluster.ts';
import { Edge } from '../constructs/edge.ts';
import { Network } from '../constructs/network.ts';
import { Tables } from '../constructs/tables.ts';
import { WebService } from '../constructs/web-service.ts';
import { pascal } from '../naming.ts';
import { acknowledge } from '../acknowledge.ts';

export interface AppStackProps extends StackProps {
  readonly config: ResolvedConfig;
  /** Image tag or digest per built service. */
  readonly imageVersions: Readonly<Record<string, string>>;
}

/** Everything that runs the app: network, edge, cluster, tables and one Fargate service per container. */
export class AppStack extends Stack {
  public readonly network: Network;
  public readonly edge: Edge;
  public readonly cluster: AppCluster;
  public readonly services: Readonly<Record<string, WebService>>;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config } = props;

    // One key for the app's logs, tables and exec sessions: one monthly key fee, rotated yearly.
    const key = new kms.Key(this, 'Key', {
      description: `${config.app}: logs, tables, exec sessions`,
      enableKeyRotation: true,
    });
    // CloudWatch Logs may use the key only for this account's log groups in this region.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsForThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${config.env.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // Grants on this key only for AWS services acting for the app (Control Tower CT.KMS.PR.3).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GrantsOnlyForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );

    this.network = new Network(this, 'Network', { config, key });
    this.edge = new Edge(this, 'Edge', { config, vpc: this.network.vpc, key });
    this.cluster = new AppCluster(this, 'Cluster', { config, vpc: this.network.vpc, key });
    const { tables } = new Tables(this, 'Tables', { names: config.tables });
    this.network.allowTables(Object.values(tables), config.env.account);

    const services: Record<string, WebService> = {};
    for (const service of config.services) {
      const targetGroup = this.edge.targetGroups[service.id];
      services[service.id] = new WebService(this, pascal(service.id), {
        config,
        service,
        cluster: this.cluster.cluster,
        vpcSubnets: this.network.taskSubnets,
        assignPublicIp: this.network.assignPublicIp,
        key,
        tables,
        imageVersion: props.imageVersions[service.id] ?? 'initial',
        ...(this.cluster.execLogGroup ? { execLogGroup: this.cluster.execLogGroup } : {}),
        ...(targetGroup ? { targetGroup, albSecurityGroup: this.edge.securityGroup } : {}),
      });
    }
    for (const service of config.services) {
      const caller = services[service.id]!;
      this.network.allowTasks(caller.securityGroup, service.id);
      // Service Connect: only the calls a service declares, each on the callee's port (ingress on
      // the callee, egress on the caller).
      for (const callee of service.calls.map((id) => services[id]!)) {
        callee.securityGroup.connections.allowFrom(
          caller.securityGroup,
          ec2.Port.tcp(callee.container.containerPort),
          `Service Connect from ${caller.node.id}`,
        );
      }
    }
    this.services = services;

    for (const service of config.services) {
      if (service.route)
        new CfnOutput(this, `${pascal(service.id)}Url`, { value: `https://${service.route.host}` });
      new CfnOutput(this, `${pascal(service.id)}ServiceName`, {
        value: services[service.id]!.service.serviceName,
      });
    }
    new CfnOutput(this, 'ClusterName', { value: this.cluster.cluster.clusterName });
    new CfnOutput(this, 'LoadBalancerDns', { value: this.edge.alb.loadBalancerDnsName });
    acknowledgeStackWide(this, config);
  }
}

/** Findings that hold for the whole design rather than for one resource. */
function acknowledgeStackWide(stack: Stack, config: ResolvedConfig): void {
  // CDK closes the default security group through a small custom-resource Lambda of its own.
  const restrictDefaultSg = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (restrictDefaultSg) {
    // The handler already depends on its role through GetAtt; the extra DependsOn trips cfn-lint W3005.
    const handler = restrictDefaultSg.node.tryFindChild('Handler') as CfnResource | undefined;
    const role = restrictDefaultSg.node.tryFindChild('Role') as CfnResource | undefined;
    if (handler && role) handler.removeResourceDependency(role);
    acknowledge(restrictDefaultSg, {
      'cdk-validator-cfnguard::lambda_inside_vpc_check':
        "CDK's provider that closes the default security group runs once per deploy and only calls the EC2 API.",
    });
  }
  const inline =
    'Each generated policy is attached to exactly one role and scoped to that service; a managed policy would add reuse, not control.';
  acknowledge(stack, {
    'NIST.800.53.R5-IAMNoInlinePolicy': inline,
    'HIPAA.Security-IAMNoInlinePolicy': inline,
    'PCI.DSS.321-IAMNoInlinePolicy': inline,
  });
  if (config.logs.retentionDays < 365) {
    acknowledge(stack, {
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check': `logs.retentionDays is ${config.logs.retentionDays} to keep log storage cheap (the seed's choice); set 365 or more to meet CT.CLOUDWATCH.PR.2.`,
    });
  }
}
