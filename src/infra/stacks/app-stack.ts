import { ArnFormat, CfnOutput, type CfnResource, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/index.ts';
import { AppCluster } from '../constructs/cluster.ts';
import { Edge } from '../constructs/edge.ts';
import { FlowLogs } from '../constructs/flow-logs.ts';
import { Network } from '../constructs/network.ts';
import { manageNatInstancesWithSsm } from '../constructs/nat-instance-access.ts';
import { Tables } from '../constructs/tables.ts';
import { WebService } from '../constructs/web-service.ts';
import { ReleaseVerifier } from '../release/verifier.ts';
import { pascal } from '../naming.ts';
import { acknowledge } from '../acknowledge.ts';
import { acknowledgeShortRetention } from '../log-retention.ts';

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

    // One key for the app's logs, flow logs and exec sessions: one monthly key fee, rotated yearly.
    // Tables use DynamoDB's AWS managed key (src/infra/constructs/tables.ts).
    const key = new kms.Key(this, 'Key', {
      description: `${config.app}: logs, flow logs, exec sessions`,
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
    if (config.network.egress === 'nat-instance') manageNatInstancesWithSsm(this.network.vpc);
    this.edge = new Edge(this, 'Edge', { config, vpc: this.network.vpc, key });
    new FlowLogs(this, 'FlowLogs', {
      config,
      key,
      vpc: this.network.vpc,
      accessLogs: this.edge.accessLogs,
    });
    this.cluster = new AppCluster(this, 'Cluster', { config, vpc: this.network.vpc, key });
    const { tables } = new Tables(this, 'Tables', { names: config.tables });
    this.network.allowTables(Object.values(tables), config.env.account);

    // One verifier for every traffic-shifting service of the stage; none when all roll.
    const verifier =
      Object.keys(this.edge.releases).length > 0
        ? new ReleaseVerifier(this, 'ReleaseVerifier', { config, key })
        : undefined;
    const services: Record<string, WebService> = {};
    for (const service of config.services) {
      const targetGroup = this.edge.targetGroups[service.id];
      const release = this.edge.releases[service.id];
      services[service.id] = new WebService(this, pascal(service.id), {
        config,
        service,
        cluster: this.cluster.cluster,
        vpcSubnets: this.network.taskSubnets,
        assignPublicIp: this.network.assignPublicIp,
        key,
        tables,
        imageVersion: props.imageVersions[service.id] ?? 'initial',
        ...(targetGroup ? { targetGroup, albSecurityGroup: this.edge.securityGroup } : {}),
        ...(release && verifier ? { release: { edge: release, verifier } } : {}),
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
    acknowledgeStackWide(this);
    logDefaultSgCloser(this, config, key);
  }
}

/**
 * CDK's Lambda that closes the default security group would log to a group Lambda creates on
 * first run, unencrypted and kept forever; point it at one made here with the app key and the
 * app's retention.
 */
function logDefaultSgCloser(stack: Stack, config: ResolvedConfig, key: kms.IKey): void {
  const provider = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
  if (!handler) return;
  const group = new logs.LogGroup(stack, 'DefaultSgCloserLogs', {
    encryptionKey: key,
    retention: config.logs.retentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  handler.addPropertyOverride('LoggingConfig', { LogGroup: group.logGroupName });
  acknowledgeShortRetention(
    group,
    config.logs.retentionDays,
    'logs.retentionDays',
    "CDK's default-SG closer logs",
  );
}

/** Findings that hold for the whole design rather than for one resource. */
function acknowledgeStackWide(stack: Stack): void {
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
}
