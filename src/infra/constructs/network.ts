import { Duration, Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AppScopeProps } from './props.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { acknowledge } from '../acknowledge.ts';
import { interfaceEndpoints } from '../endpoints.ts';

export type NetworkProps = AppScopeProps;

/**
 * The VPC and the chosen egress. Tasks sit in private subnets without public IPs, except
 * with the `public-tasks` strategy, which trades that control for having no egress cost.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Where tasks run. */
  public readonly taskSubnets: ec2.SubnetSelection;
  public readonly assignPublicIp: boolean;
  /** The NAT instance's group (egress nat-instance): tasks are let in on 443 through allowTasks. */
  public readonly natSecurityGroup?: ec2.ISecurityGroup;
  /** The interface endpoints' group (egress endpoints): tasks are let in on 443 through allowTasks. */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const egress = config.network.egress;

    const natGatewayProvider =
      egress === 'nat-instance'
        ? ec2.NatProvider.instanceV2({
            // The cheapest Graviton instance carries a small app's egress; AL2023 via SSM parameter, no lookup.
            instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
            machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
            // Public subnets do not hand out public IPs; the NAT instance asks for its own.
            associatePublicIpAddress: true,
          })
        : egress === 'nat-gateway'
          ? ec2.NatProvider.gateway()
          : undefined;

    const privateType =
      egress === 'endpoints' ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.network.cidr),
      maxAzs: config.network.azs,
      // One NAT for the whole VPC: the cost-aware choice Copilot users asked for. A NAT outage
      // stops egress, not inbound traffic.
      natGateways: natGatewayProvider ? 1 : 0,
      ...(natGatewayProvider ? { natGatewayProvider } : {}),
      restrictDefaultSecurityGroup: true,
      subnetConfiguration:
        egress === 'public-tasks'
          ? [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false }]
          : [
              { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
              { name: 'Private', subnetType: privateType, cidrMask: 20 },
            ],
    });

    this.resolveZonesAtDeploy();
    this.assignPublicIp = egress === 'public-tasks';
    this.taskSubnets = { subnetType: egress === 'public-tasks' ? ec2.SubnetType.PUBLIC : privateType };

    if (egress !== 'public-tasks') this.addGatewayEndpoints(config);
    if (egress === 'endpoints') this.endpointSecurityGroup = this.addInterfaceEndpoints(config);
    if (natGatewayProvider instanceof ec2.NatInstanceProviderV2) {
      this.natSecurityGroup = natGatewayProvider.securityGroup;
      this.hardenNatInstances();
    }

    const igw =
      'Public subnets hold only the internet-facing load balancer and the NAT; they need the default route to the internet gateway.';
    for (const subnet of this.vpc.publicSubnets) {
      acknowledge(subnet, {
        'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW': igw,
        'HIPAA.Security-VPCNoUnrestrictedRouteToIGW': igw,
        'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW': igw,
      });
    }
  }

  /**
   * Lets a service's tasks use the VPC's egress: HTTPS into the NAT instance (its group admits
   * nothing else, so forwarded packets from anyone else are dropped), or into the interface
   * endpoints. Nothing else in the VPC may use them.
   */
  allowTasks(tasks: ec2.ISecurityGroup, service: string): void {
    this.natSecurityGroup?.addIngressRule(
      tasks,
      ec2.Port.tcp(443),
      `HTTPS from ${service} tasks, to forward`,
    );
    this.endpointSecurityGroup?.addIngressRule(tasks, ec2.Port.tcp(443), `HTTPS from ${service} tasks`);
  }

  /**
   * Free gateway endpoints on the private route tables, whatever the egress: ECR's image layers
   * (S3) and the tables (DynamoDB) then never depend on the NAT, and cost nothing per GB. Each
   * endpoint's policy admits only what the app uses.
   */
  private addGatewayEndpoints(config: ResolvedConfig): void {
    const { account, region } = config.env;
    const subnets = [{ subnets: [...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets] }];
    const s3 = this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets });
    // ECR serves layers from a bucket AWS owns, through URLs it signs itself: no account condition fits it.
    s3.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:aws:s3:::prod-${region}-starport-layer-bucket/*`],
      }),
    );
    s3.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ThisAccountOnly',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account } },
      }),
    );
    if (config.tables.length === 0) return;
    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDb', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets,
    });
  }

  private dynamoDbEndpoint?: ec2.GatewayVpcEndpoint;

  /** The DynamoDB endpoint admits this account's principals to the app's tables and nothing else. */
  allowTables(tables: readonly dynamodb.ITable[], account: string): void {
    if (!this.dynamoDbEndpoint || tables.length === 0) return;
    this.dynamoDbEndpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppTables',
        principals: [new iam.AnyPrincipal()],
        actions: ['dynamodb:*'],
        resources: tables.flatMap((t) => [t.tableArn, `${t.tableArn}/index/*`]),
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
  }

  /** Without a NAT, tasks reach the other AWS APIs only through these endpoints. */
  private addInterfaceEndpoints(config: ResolvedConfig): ec2.SecurityGroup {
    // One group for all endpoints; allowTasks admits each service's tasks on 443 and nothing else.
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from the task security groups',
      allowAllOutbound: false,
    });
    // The same list `berth cost` prices.
    for (const { id, service } of interfaceEndpoints(config)) {
      const endpoint = this.vpc.addInterfaceEndpoint(id, {
        service: ec2.InterfaceVpcEndpointAwsService[service],
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointSg],
      });
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountOnly',
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:PrincipalAccount': config.env.account } },
        }),
      );
    }
    return endpointSg;
  }

  /**
   * Synth pins zone names so it never looks them up; the template instead picks the account's
   * first zones at deploy time, since zone names map to different zones in each account.
   */
  private resolveZonesAtDeploy(): void {
    const zones = this.vpc.availabilityZones;
    const subnets = [...this.vpc.publicSubnets, ...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets];
    for (const subnet of subnets) {
      const cfn = subnet.node.defaultChild as ec2.CfnSubnet;
      cfn.availabilityZone = Fn.select(zones.indexOf(subnet.availabilityZone), Fn.getAzs());
    }
    for (const child of this.vpc.node.findAll()) {
      // The instance's subnet already fixes its zone.
      if (child instanceof ec2.CfnInstance) child.availabilityZone = undefined;
    }
  }

  /**
   * NatProvider.instanceV2 leaves IMDSv1 on and the root volume unencrypted; tighten both. Nothing
   * replaces a failed instance, so CloudWatch recovers it (system check) or reboots it (instance check).
   */
  private hardenNatInstances(): void {
    const template = new ec2.CfnLaunchTemplate(this, 'NatLaunchTemplate', {
      launchTemplateData: {
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
        monitoring: { enabled: true },
      },
    });
    for (const child of this.vpc.node.findAll()) {
      if (!(child instanceof ec2.CfnInstance)) continue;
      child.blockDeviceMappings = [
        { deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8 } },
      ];
      child.monitoring = true;
      child.launchTemplate = { launchTemplateId: template.ref, version: template.attrLatestVersionNumber };
      this.statusCheckAlarm(
        child,
        'NatSystemCheck',
        'StatusCheckFailed_System',
        cwActions.Ec2InstanceAction.RECOVER,
      );
      this.statusCheckAlarm(
        child,
        'NatInstanceCheck',
        'StatusCheckFailed_Instance',
        cwActions.Ec2InstanceAction.REBOOT,
      );
      const reason =
        'A NAT instance needs a public IP to carry the private subnets egress (network.egress: nat-instance).';
      acknowledge(child, {
        'AwsSolutions-EC29':
          'A NAT instance holds no data: termination protection would only block replacing it; status-check alarms recover or reboot it.',
        'NIST.800.53.R5-EC2InstanceNoPublicIp': reason,
        'PCI.DSS.321-EC2InstanceNoPublicIp': reason,
        'HIPAA.Security-EC2InstanceNoPublicIp': reason,
        ...Object.fromEntries(
          ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => [
            `${pack}-EC2InstancesInVPC`,
            'The NAT instance is in a public subnet of this VPC; its subnet is set on its network interface, which this rule does not read.',
          ]),
        ),
        'cdk-validator-cfnguard::ec2_instance_no_public_ip_check': reason,
        'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check':
          'The t4g.nano NAT forwards traffic that is already TLS end to end; Nitro in-transit encryption types cost 10x more.',
      });
    }
  }

  private statusCheckAlarm(
    instance: ec2.CfnInstance,
    id: string,
    metricName: string,
    action: cwActions.Ec2InstanceAction,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `${metricName} on the NAT instance: ${action === cwActions.Ec2InstanceAction.RECOVER ? 'recover it onto healthy hardware' : 'reboot it'}`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName,
        dimensionsMap: { InstanceId: instance.ref },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    alarm.addAlarmAction(new cwActions.Ec2Action(action));
  }
}
