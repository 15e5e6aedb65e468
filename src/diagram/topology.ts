import { readFileSync } from 'node:fs';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import type { EgressStrategy, ResolvedConfig } from '../config/index.ts';
import type { SynthResult } from '../infra/index.ts';
import { Resolver, type CfnTemplate, type Props } from '../shared/template-resolver.ts';

/**
 * The deployment as the synthesized templates describe it: read back from CloudFormation (and the
 * construct tree for friendly names), never from the config alone, so the picture shows what
 * `berth deploy` would create.
 */
export interface Topology {
  readonly app: string;
  readonly region: string;
  readonly vpcCidr: string;
  readonly egress: EgressStrategy;
  readonly loadBalancer: {
    readonly scheme: string;
    readonly listeners: readonly Listener[];
    readonly waf?: { readonly rules: readonly string[] };
  };
  readonly targetGroups: readonly TargetGroup[];
  readonly services: readonly Service[];
  readonly subnets: readonly Subnet[];
  /** NAT gateways and instances, by the subnet they sit in. */
  readonly nats: readonly {
    readonly id: string;
    readonly kind: 'gateway' | 'instance';
    readonly label: string;
    readonly subnet: string;
  }[];
  readonly interfaceEndpoints: readonly string[];
  readonly gatewayEndpoints: readonly string[];
  readonly namespace?: string;
  readonly records: readonly { readonly name: string; readonly type: string }[];
  readonly repositories: readonly string[];
  readonly tables: readonly string[];
}

export interface Listener {
  readonly id: string;
  readonly port: number;
  readonly protocol: string;
  /** `redirect HTTPS:443 (301)`, or the target group of the default action. */
  readonly redirect?: string;
  readonly defaultTarget?: string;
  /** `fixed 404` when the default action answers itself. */
  readonly defaultResponse?: string;
  readonly rules: readonly {
    readonly priority: number;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
    readonly target: string;
  }[];
}

export interface TargetGroup {
  readonly id: string;
  readonly port: number;
  readonly healthCheckPath: string;
}

export interface Service {
  readonly id: string;
  readonly name: string;
  readonly cpu: number;
  readonly memory: number;
  readonly architecture: string;
  readonly desired: number;
  readonly targetGroups: readonly string[];
  readonly subnets: readonly string[];
  readonly publicIp: boolean;
  /** Service Connect `name:port` other services call it by. */
  readonly connectNames: readonly string[];
  readonly secrets: readonly string[];
  readonly tables: readonly { readonly name: string; readonly access: 'read' | 'readwrite' }[];
  readonly repository?: string;
}

export interface Subnet {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  /** Index of the AZ (the template picks the account's zones at deploy time). */
  readonly az: number;
  readonly cidr: string;
}

/** A template value: CloudFormation JSON has no schema here, so each read states what it expects. */
type Json = Props[string];

export function topologyFrom(config: ResolvedConfig, result: SynthResult): Topology {
  // The reachability check's resolver: references and ARNs are read the same way in both.
  const read = (stack: Stack) =>
    new Resolver(
      JSON.parse(readFileSync(result.templates[stack.stackName]!, 'utf8')) as CfnTemplate,
      config.env,
    );
  const resolver = read(result.appStack);
  const app = resolver.template.Resources;
  const registry = read(result.registryStack).template.Resources;
  const paths = logicalPaths(result.appStack);
  /** The last meaningful construct id of a resource: `Activities` for Cruddur/Tables/Activities/Resource. */
  const short = (logicalId: string) => {
    const parts = (paths.get(logicalId) ?? logicalId).split('/').filter((p) => p !== 'Resource');
    return parts[parts.length - 1]!;
  };
  const of = (type: string) => resolver.ofType(type).map((id) => [id, app[id]!] as const);
  const ref = (v: unknown) => resolver.target(v);

  const subnets: Subnet[] = of('AWS::EC2::Subnet').map(([id, r]) => {
    const tag = (k: string) =>
      (r.Properties!.Tags as { Key: string; Value: string }[]).find((t) => t.Key === k)?.Value;
    const az = Number(r.Properties!.AvailabilityZone?.['Fn::Select']?.[0] ?? 0);
    return {
      id,
      name: `${tag('aws-cdk:subnet-name') ?? 'Subnet'} ${az + 1}`,
      kind: tag('aws-cdk:subnet-type') ?? 'Private',
      az,
      cidr: r.Properties!.CidrBlock,
    };
  });
  subnets.sort((a, b) => a.az - b.az || a.kind.localeCompare(b.kind));

  const targetGroups: TargetGroup[] = of('AWS::ElasticLoadBalancingV2::TargetGroup').map(([id, r]) => ({
    id,
    port: r.Properties!.Port,
    healthCheckPath: r.Properties!.HealthCheckPath ?? '/',
  }));

  const rules = of('AWS::ElasticLoadBalancingV2::ListenerRule');
  const listeners: Listener[] = of('AWS::ElasticLoadBalancingV2::Listener')
    .map(([id, r]) => {
      const action = (r.Properties!.DefaultActions as Record<string, Json>[])[0]!;
      const redirect = action.RedirectConfig as
        { Protocol: string; Port: string; StatusCode: string } | undefined;
      return {
        id,
        port: r.Properties!.Port,
        protocol: r.Properties!.Protocol,
        ...(redirect
          ? {
              redirect: `redirect ${redirect.Protocol}:${redirect.Port} (${redirect.StatusCode.replace('HTTP_', '')})`,
            }
          : {}),
        ...(action.Type === 'forward' ? { defaultTarget: ref(action.TargetGroupArn)! } : {}),
        ...(action.Type === 'fixed-response'
          ? { defaultResponse: `default: fixed ${action.FixedResponseConfig?.StatusCode ?? ''}`.trim() }
          : {}),
        rules: rules
          .filter(([, rule]) => ref(rule.Properties!.ListenerArn) === id)
          .map(([, rule]) => {
            const conditions = rule.Properties!.Conditions as Record<string, Json>[];
            const values = (field: string) =>
              conditions
                .filter((c) => c.Field === field)
                .flatMap((c) => c.HostHeaderConfig?.Values ?? c.PathPatternConfig?.Values ?? c.Values ?? []);
            return {
              priority: rule.Properties!.Priority,
              hosts: values('host-header'),
              paths: values('path-pattern'),
              target: ref((rule.Properties!.Actions as Record<string, Json>[])[0]!.TargetGroupArn)!,
            };
          })
          .sort((a, b) => a.priority - b.priority),
      };
    })
    .sort((a, b) => a.port - b.port);

  const repositories = Object.values(registry)
    .filter((r) => r.Type === 'AWS::ECR::Repository')
    .map((r) => r.Properties!.RepositoryName as string)
    .sort();
  const tableIds = of('AWS::DynamoDB::Table').map(([id]) => id);
  const tableName = (id: string) => config.tables.find((t) => pascalEq(t, short(id))) ?? short(id);
  const policies = of('AWS::IAM::Policy');

  const services: Service[] = of('AWS::ECS::Service').map(([, r]) => {
    const p = r.Properties!;
    const taskDef = app[ref(p.TaskDefinition)!]!.Properties!;
    const container = (taskDef.ContainerDefinitions as Record<string, Json>[])[0]!;
    const taskRole = ref(taskDef.TaskRoleArn);
    const statements = policies
      .filter(([, pol]) => (pol.Properties!.Roles as unknown[]).some((role) => ref(role) === taskRole))
      .flatMap(
        ([, pol]) =>
          pol.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    const tables = tableIds
      .map((id) => {
        // The table's ARN, or one of its indexes' (`<arn>/index/*`), among the statement's resources.
        const arn = resolver.str({ 'Fn::GetAtt': [id, 'Arn'] })!;
        const touching = statements.filter((s) =>
          resolver.strs(s.Resource).some((r) => r === arn || r.startsWith(`${arn}/`)),
        );
        if (touching.length === 0) return undefined;
        const actions = touching.flatMap((s) => [s.Action].flat());
        return {
          name: tableName(id),
          access: actions.includes('dynamodb:PutItem') ? ('readwrite' as const) : ('read' as const),
        };
      })
      .filter((t) => t !== undefined);
    const image = resolver.str(container.Image) ?? JSON.stringify(container.Image);
    const network = p.NetworkConfiguration.AwsvpcConfiguration;
    const sc = p.ServiceConnectConfiguration as
      { Services?: { ClientAliases: { DnsName: string; Port: number }[] }[] } | undefined;
    return {
      id: container.Name as string,
      name: p.ServiceName as string,
      cpu: Number(taskDef.Cpu),
      memory: Number(taskDef.Memory),
      architecture:
        (taskDef.RuntimePlatform?.CpuArchitecture as string | undefined)?.toLowerCase() ?? 'x86_64',
      desired: p.DesiredCount,
      targetGroups: ((p.LoadBalancers ?? []) as { TargetGroupArn: unknown }[]).map((lb) =>
        ref(lb.TargetGroupArn)!,
      ),
      subnets: (network.Subnets as unknown[]).map((s) => ref(s)!),
      publicIp: network.AssignPublicIp === 'ENABLED',
      connectNames: (sc?.Services ?? []).flatMap((s) => s.ClientAliases.map((a) => `${a.DnsName}:${a.Port}`)),
      secrets: ((container.Secrets ?? []) as { Name: string; ValueFrom: unknown }[]).map((s) =>
        secretName(resolver.str(s.ValueFrom), s.Name),
      ),
      tables,
      ...(repositories.some((repo) => image.includes(`/${repo}:`) || image.includes(`/${repo}@`))
        ? {
            repository: repositories.find(
              (repo) => image.includes(`/${repo}:`) || image.includes(`/${repo}@`),
            )!,
          }
        : {}),
    };
  });
  services.sort((a, b) => a.id.localeCompare(b.id));

  const nats = [
    ...of('AWS::EC2::NatGateway').map(([id, r]) => ({
      id,
      kind: 'gateway' as const,
      label: 'NAT gateway',
      subnet: ref(r.Properties!.SubnetId)!,
    })),
    ...of('AWS::EC2::Instance').map(([id, r]) => ({
      id,
      kind: 'instance' as const,
      label: `NAT instance ${r.Properties!.InstanceType}`,
      subnet: ref(r.Properties!.SubnetId ?? r.Properties!.NetworkInterfaces?.[0]?.SubnetId)!,
    })),
  ];
  const endpoints = of('AWS::EC2::VPCEndpoint').map(([, r]) => ({
    type: r.Properties!.VpcEndpointType ?? 'Gateway',
    name: endpointName(resolver.str(r.Properties!.ServiceName) ?? ''),
  }));
  const webAcl = of('AWS::WAFv2::WebACL')[0];
  const lb = of('AWS::ElasticLoadBalancingV2::LoadBalancer')[0]![1];
  const namespace = of('AWS::ServiceDiscovery::HttpNamespace')[0]?.[1].Properties!.Name as string | undefined;
  return {
    app: config.app,
    region: config.env.region,
    vpcCidr: of('AWS::EC2::VPC')[0]![1].Properties!.CidrBlock,
    egress: config.network.egress,
    loadBalancer: {
      scheme: lb.Properties!.Scheme,
      listeners,
      ...(webAcl
        ? { waf: { rules: (webAcl[1].Properties!.Rules as { Name: string }[]).map((rule) => rule.Name) } }
        : {}),
    },
    targetGroups,
    services,
    subnets,
    nats,
    interfaceEndpoints: endpoints
      .filter((e) => e.type === 'Interface')
      .map((e) => e.name)
      .sort(),
    gatewayEndpoints: endpoints
      .filter((e) => e.type === 'Gateway')
      .map((e) => e.name)
      .sort(),
    ...(namespace ? { namespace } : {}),
    records: of('AWS::Route53::RecordSet')
      .map(([, r]) => ({
        name: (r.Properties!.Name as string).replace(/\.$/, ''),
        type: r.Properties!.Type as string,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    repositories,
    tables: tableIds.map(tableName).sort(),
  };
}

/** CloudFormation logical id -> construct path, from the construct tree. */
function logicalPaths(stack: Stack): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnResource) map.set(stack.resolve(c.logicalId) as string, c.node.path);
  }
  return map;
}

function pascalEq(name: string, id: string): boolean {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase()) === id;
}

/** `com.amazonaws.us-east-1.ecr.api` -> `ecr.api`. */
function endpointName(serviceName: string): string {
  return /^com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(serviceName)?.[1] ?? serviceName;
}

/** `/cruddur/backend/DB` for SSM, the secret's name for Secrets Manager, else the variable. */
function secretName(arn: string | undefined, variable: string): string {
  const ssm = /:parameter(\/.+)$/.exec(arn ?? '');
  if (ssm) return `${variable} ← SSM ${ssm[1]}`;
  const sm = /:secret:([^:]+)/.exec(arn ?? '');
  if (sm) return `${variable} ← Secrets Manager ${sm[1]}`;
  return variable;
}
