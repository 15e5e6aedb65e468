import type { PolicyDocument } from './hops/endpoint-policy.ts';
import type { Props, Resolver } from '../../shared/template-resolver.ts';

/** One security-group rule: a protocol, a port range and the peer on the other side. */
export interface SgRule {
  /** `-1` for all, else `tcp`, `udp`, `icmp` or a protocol number. */
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly peer:
    | { readonly kind: 'cidr'; readonly cidr: string }
    | { readonly kind: 'group'; readonly group: string }
    | { readonly kind: 'prefix-list'; readonly id: string };
}

export interface SecurityGroup {
  readonly id: string;
  readonly ingress: SgRule[];
  readonly egress: SgRule[];
}

export interface NaclEntry {
  readonly rule: number;
  readonly egress: boolean;
  readonly allow: boolean;
  /** -1 for all protocols, 6 for TCP. */
  readonly protocol: number;
  readonly from: number;
  readonly to: number;
  readonly cidr: string;
}

export interface Nacl {
  readonly id: string;
  readonly entries: NaclEntry[];
}

export type RouteTarget =
  | { readonly kind: 'internet-gateway'; readonly id: string }
  | { readonly kind: 'nat-gateway'; readonly id: string }
  | { readonly kind: 'instance'; readonly id: string }
  | { readonly kind: 'other'; readonly id: string };

export interface Route {
  readonly id: string;
  readonly destination: string;
  readonly target: RouteTarget;
}

export interface Subnet {
  readonly id: string;
  readonly cidr: string;
  readonly routeTable?: string;
  /** Undefined: the VPC's default NACL, which allows everything. */
  readonly nacl?: string;
  readonly mapPublicIp: boolean;
}

export interface VpcEndpoint {
  readonly id: string;
  /** The service part of the name: `s3`, `dynamodb`, `ecr.api`, `logs`, ... */
  readonly service: string;
  readonly type: 'Gateway' | 'Interface';
  readonly routeTables: string[];
  readonly subnets: string[];
  readonly securityGroups: string[];
  readonly privateDns: boolean;
  /** Undefined: the default full-access policy. */
  readonly policy?: PolicyDocument;
}

export interface NatInstance {
  readonly id: string;
  readonly subnet: string;
  readonly securityGroups: string[];
  readonly sourceDestCheck: boolean;
  readonly publicIp: boolean;
}

export interface NatGateway {
  readonly id: string;
  readonly subnet: string;
}

/** The network resources of one template, keyed by logical id. */
export interface NetworkModel {
  readonly vpcCidr: string;
  readonly subnets: ReadonlyMap<string, Subnet>;
  readonly routeTables: ReadonlyMap<string, Route[]>;
  readonly securityGroups: ReadonlyMap<string, SecurityGroup>;
  readonly nacls: ReadonlyMap<string, Nacl>;
  readonly endpoints: readonly VpcEndpoint[];
  readonly natInstances: ReadonlyMap<string, NatInstance>;
  readonly natGateways: ReadonlyMap<string, NatGateway>;
}

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp' };

function sgRule(r: Resolver, raw: Props, direction: 'ingress' | 'egress'): SgRule | undefined {
  const protocol = PROTOCOLS[String(raw.IpProtocol)] ?? String(raw.IpProtocol);
  const all = protocol === '-1';
  const from = all ? 0 : Number(raw.FromPort ?? 0);
  const to = all ? 65535 : Number(raw.ToPort ?? 65535);
  const groupKey = direction === 'ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId';
  const prefixKey = direction === 'ingress' ? 'SourcePrefixListId' : 'DestinationPrefixListId';
  const cidr = r.str(raw.CidrIp);
  if (cidr) return { protocol, from, to, peer: { kind: 'cidr', cidr } };
  const group = r.target(raw[groupKey]) ?? r.str(raw[groupKey]);
  if (group) return { protocol, from, to, peer: { kind: 'group', group } };
  const prefix = r.str(raw[prefixKey]);
  if (prefix) return { protocol, from, to, peer: { kind: 'prefix-list', id: prefix } };
  // IPv6 rules (CidrIpv6) do not reach an IPv4-only VPC.
  return undefined;
}

/** Reads the VPC, its subnets, routes, security groups, NACLs, endpoints and NATs from a template. */
export function buildModel(r: Resolver): NetworkModel {
  const vpcs = r.ofType('AWS::EC2::VPC');
  const vpcCidr = r.str(r.resource(vpcs[0] ?? '')?.Properties?.CidrBlock) ?? '0.0.0.0/32';

  /** Subnet -> what an association resource of `type` attaches to it (its `property`). */
  const associated = (type: string, property: string) => {
    const of = new Map<string, string>();
    for (const id of r.ofType(type)) {
      const p = r.resource(id)!.Properties ?? {};
      const subnet = r.target(p.SubnetId);
      const attached = r.target(p[property]);
      if (subnet && attached) of.set(subnet, attached);
    }
    return of;
  };
  const routeTableOf = associated('AWS::EC2::SubnetRouteTableAssociation', 'RouteTableId');
  const naclOf = associated('AWS::EC2::SubnetNetworkAclAssociation', 'NetworkAclId');

  const subnets = new Map<string, Subnet>();
  for (const id of r.ofType('AWS::EC2::Subnet')) {
    const p = r.resource(id)!.Properties ?? {};
    subnets.set(id, {
      id,
      cidr: r.str(p.CidrBlock) ?? '0.0.0.0/32',
      ...(routeTableOf.has(id) ? { routeTable: routeTableOf.get(id)! } : {}),
      ...(naclOf.has(id) ? { nacl: naclOf.get(id)! } : {}),
      mapPublicIp: p.MapPublicIpOnLaunch === true || p.MapPublicIpOnLaunch === 'true',
    });
  }

  const routeTables = new Map<string, Route[]>();
  for (const id of r.ofType('AWS::EC2::RouteTable')) routeTables.set(id, []);
  for (const id of r.ofType('AWS::EC2::Route')) {
    const p = r.resource(id)!.Properties ?? {};
    const table = r.target(p.RouteTableId);
    const destination = r.str(p.DestinationCidrBlock);
    if (!table || !destination) continue;
    const gateway = r.target(p.GatewayId);
    const target: RouteTarget = p.NatGatewayId
      ? { kind: 'nat-gateway', id: r.target(p.NatGatewayId) ?? '?' }
      : p.InstanceId
        ? { kind: 'instance', id: r.target(p.InstanceId) ?? '?' }
        : gateway && r.resource(gateway)?.Type === 'AWS::EC2::InternetGateway'
          ? { kind: 'internet-gateway', id: gateway }
          : { kind: 'other', id: gateway ?? r.target(p.TransitGatewayId ?? p.VpcPeeringConnectionId) ?? '?' };
    routeTables.set(table, [...(routeTables.get(table) ?? []), { id, destination, target }]);
  }

  const securityGroups = new Map<string, SecurityGroup>();
  for (const id of r.ofType('AWS::EC2::SecurityGroup')) {
    const p = r.resource(id)!.Properties ?? {};
    const rules = (list: unknown, d: 'ingress' | 'egress') =>
      ((list as Props[] | undefined) ?? []).map((x) => sgRule(r, x, d)).filter((x): x is SgRule => !!x);
    // A group without egress rules in CloudFormation gets AWS's allow-all egress.
    const egress =
      p.SecurityGroupEgress === undefined
        ? [{ protocol: '-1', from: 0, to: 65535, peer: { kind: 'cidr', cidr: '0.0.0.0/0' } } as SgRule]
        : rules(p.SecurityGroupEgress, 'egress');
    securityGroups.set(id, { id, ingress: rules(p.SecurityGroupIngress, 'ingress'), egress });
  }
  for (const [type, direction] of [
    ['AWS::EC2::SecurityGroupIngress', 'ingress'],
    ['AWS::EC2::SecurityGroupEgress', 'egress'],
  ] as const) {
    for (const id of r.ofType(type)) {
      const p = r.resource(id)!.Properties ?? {};
      const group = securityGroups.get(r.target(p.GroupId) ?? '');
      const rule = sgRule(r, p, direction);
      if (group && rule) group[direction].push(rule);
    }
  }

  const nacls = new Map<string, Nacl>();
  for (const id of r.ofType('AWS::EC2::NetworkAcl')) nacls.set(id, { id, entries: [] });
  for (const id of r.ofType('AWS::EC2::NetworkAclEntry')) {
    const p = r.resource(id)!.Properties ?? {};
    const acl = nacls.get(r.target(p.NetworkAclId) ?? '');
    const cidr = r.str(p.CidrBlock);
    if (!acl || !cidr) continue;
    const protocol = Number(p.Protocol);
    acl.entries.push({
      rule: Number(p.RuleNumber),
      egress: p.Egress === true || p.Egress === 'true',
      allow: String(p.RuleAction).toLowerCase() === 'allow',
      protocol,
      from: protocol === -1 ? 0 : Number(p.PortRange?.From ?? 0),
      to: protocol === -1 ? 65535 : Number(p.PortRange?.To ?? 65535),
      cidr,
    });
  }

  const endpoints: VpcEndpoint[] = r.ofType('AWS::EC2::VPCEndpoint').map((id) => {
    const p = r.resource(id)!.Properties ?? {};
    const name = r.str(p.ServiceName) ?? '';
    const type = p.VpcEndpointType === 'Interface' ? 'Interface' : 'Gateway';
    return {
      id,
      service: name.replace(/^com\.amazonaws\.[a-z0-9-]+\./, ''),
      type,
      routeTables: r.targets(p.RouteTableIds),
      subnets: r.targets(p.SubnetIds),
      securityGroups: r.targets(p.SecurityGroupIds),
      privateDns: type === 'Interface' && (p.PrivateDnsEnabled === true || p.PrivateDnsEnabled === 'true'),
      ...(p.PolicyDocument ? { policy: p.PolicyDocument as PolicyDocument } : {}),
    };
  });

  const natInstances = new Map<string, NatInstance>();
  for (const id of r.ofType('AWS::EC2::Instance')) {
    const p = r.resource(id)!.Properties ?? {};
    const eni = (p.NetworkInterfaces as Props[] | undefined)?.find((n) => String(n.DeviceIndex) === '0');
    const subnet = r.target(eni?.SubnetId ?? p.SubnetId) ?? '';
    natInstances.set(id, {
      id,
      subnet,
      securityGroups: r.targets(eni?.GroupSet ?? p.SecurityGroupIds),
      sourceDestCheck: !(p.SourceDestCheck === false || p.SourceDestCheck === 'false'),
      publicIp:
        eni?.AssociatePublicIpAddress === true ||
        eni?.AssociatePublicIpAddress === 'true' ||
        (eni?.AssociatePublicIpAddress === undefined && subnets.get(subnet)?.mapPublicIp === true),
    });
  }
  const natGateways = new Map<string, NatGateway>();
  for (const id of r.ofType('AWS::EC2::NatGateway')) {
    natGateways.set(id, { id, subnet: r.target(r.resource(id)!.Properties?.SubnetId) ?? '' });
  }

  return { vpcCidr, subnets, routeTables, securityGroups, nacls, endpoints, natInstances, natGateways };
}
