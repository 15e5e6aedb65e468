import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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

    if (egress === 'endpoints') this.addEndpoints(config);
    if (egress === 'nat-instance') this.hardenNatInstances();

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

  /** Without a NAT, tasks reach AWS only through these endpoints. */
  private addEndpoints(config: ResolvedConfig): void {
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    if (config.tables.length > 0) {
      this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    }
    // One group for all endpoints, HTTPS from the VPC's own range, written as a literal CIDR:
    // the default Fn::GetAtt VpcCidr makes cdk-nag's security-group rules throw.
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    endpointSg.addIngressRule(ec2.Peer.ipv4(config.network.cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    // The same list `berth cost` prices.
    for (const { id, service } of interfaceEndpoints(config)) {
      this.vpc.addInterfaceEndpoint(id, {
        service: ec2.InterfaceVpcEndpointAwsService[service],
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointSg],
      });
    }
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

  /** NatProvider.instanceV2 leaves IMDSv1 on and the root volume unencrypted; tighten both. */
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
      const reason =
        'A NAT instance needs a public IP to carry the private subnets egress (network.egress: nat-instance).';
      acknowledge(child, {
        'AwsSolutions-EC29': 'A NAT instance is stateless and replaced, not protected from termination.',
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
}
