import type { ApiRequest } from './hops/endpoint-policy.ts';
import type { Props, Resolver } from '../../shared/template-resolver.ts';

/** One AWS API a service's tasks must reach, with the call its endpoint policy must allow. */
export interface AwsNeed {
  /** Rule id of the finding when the path fails. */
  readonly rule: string;
  /** The endpoint service name part: `ecr.api`, `ecr.dkr`, `s3`, `logs`, `dynamodb`, `ssm`, ... */
  readonly api: string;
  /** As a user reads it, e.g. `CloudWatch Logs`. */
  readonly label: string;
  readonly request: ApiRequest;
}

/** An ECS service as the network sees it: where its tasks run, what they carry, what they need. */
export interface Workload {
  /** The config's service id when known, else the ECS service name. */
  readonly id: string;
  readonly logicalId: string;
  readonly serviceName: string;
  readonly subnets: readonly string[];
  readonly groups: readonly string[];
  readonly publicIp: boolean;
  /** The port Service Connect and the load balancer reach. */
  readonly port: number;
  readonly needs: readonly AwsNeed[];
  readonly serviceConnect: {
    readonly enabled: boolean;
    readonly namespace?: string;
    /** Ports it publishes to other services (client aliases). */
    readonly publishes: readonly number[];
  };
  /** Target groups it registers with, and on which container port. */
  readonly targets: readonly { readonly targetGroup: string; readonly port: number }[];
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/;

/** Every ECS service in the template, named by `idOf` (ECS service name → config id). */
export function workloads(r: Resolver, idOf: (serviceName: string) => string | undefined): Workload[] {
  return r.ofType('AWS::ECS::Service').map((logicalId) => {
    const p = r.resource(logicalId)!.Properties ?? {};
    const serviceName = r.str(p.ServiceName) ?? logicalId;
    const vpc = p.NetworkConfiguration?.AwsvpcConfiguration ?? {};
    const taskDef = r.resource(r.target(p.TaskDefinition) ?? '')?.Properties ?? {};
    const containers = (taskDef.ContainerDefinitions as Props[] | undefined) ?? [];
    const sc = p.ServiceConnectConfiguration;
    const portOf = (name: unknown) =>
      containers.flatMap((c) => (c.PortMappings as Props[] | undefined) ?? []).find((m) => m.Name === name)
        ?.ContainerPort;
    const firstPort = containers[0]?.PortMappings?.[0]?.ContainerPort;
    return {
      id: idOf(serviceName) ?? serviceName,
      logicalId,
      serviceName,
      subnets: r.targets(vpc.Subnets),
      groups: r.targets(vpc.SecurityGroups),
      publicIp: vpc.AssignPublicIp === 'ENABLED',
      port: Number(firstPort ?? 0),
      needs: needsOf(r, p, taskDef, containers),
      serviceConnect: {
        enabled: sc?.Enabled === true || sc?.Enabled === 'true',
        ...(sc?.Namespace ? { namespace: r.str(sc.Namespace) ?? '' } : {}),
        publishes: ((sc?.Services as Props[] | undefined) ?? []).flatMap((s) =>
          ((s.ClientAliases as Props[] | undefined) ?? [{ Port: portOf(s.PortName) }]).map((a) =>
            Number(a.Port ?? portOf(s.PortName)),
          ),
        ),
      },
      targets: ((p.LoadBalancers as Props[] | undefined) ?? []).map((lb) => ({
        targetGroup: r.target(lb.TargetGroupArn) ?? '',
        port: Number(lb.ContainerPort),
      })),
    };
  });
}

function needsOf(r: Resolver, service: Props, taskDef: Props, containers: Props[]): AwsNeed[] {
  const { account, region } = r.env;
  const needs: AwsNeed[] = [];
  const own = { principalAccount: account, resourceAccount: account };
  for (const c of containers) {
    const image = ECR_IMAGE.exec(r.str(c.Image) ?? '');
    if (image) {
      const [, registry, imageRegion, repo] = image;
      needs.push(
        {
          rule: 'Reachability-Ecr',
          api: 'ecr.api',
          label: 'the ECR API',
          request: { action: 'ecr:GetAuthorizationToken', resource: '*', ...own },
        },
        {
          rule: 'Reachability-Ecr',
          api: 'ecr.dkr',
          label: 'the ECR registry',
          request: {
            action: 'ecr:BatchGetImage',
            resource: `arn:aws:ecr:${imageRegion}:${registry}:repository/${repo}`,
            principalAccount: account,
            resourceAccount: registry!,
          },
        },
        {
          // ECR serves image layers from an S3 bucket that AWS owns, one per region, through URLs
          // it signs itself: no principal or resource of this account takes part.
          rule: 'Reachability-EcrLayers',
          api: 's3',
          label: "ECR's image layers in S3",
          request: {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::prod-${imageRegion}-starport-layer-bucket/*`,
          },
        },
      );
    }
    for (const log of [c.LogConfiguration, service.ServiceConnectConfiguration?.LogConfiguration]) {
      if (log?.LogDriver !== 'awslogs') continue;
      const group = r.str(log.Options?.['awslogs-group']) ?? '*';
      if (needs.some((n) => n.api === 'logs' && n.request.resource.includes(`:log-group:${group}:`)))
        continue;
      needs.push({
        rule: 'Reachability-Logs',
        api: 'logs',
        label: `CloudWatch Logs (${group})`,
        request: {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${region}:${account}:log-group:${group}:log-stream:*`,
          ...own,
        },
      });
    }
    for (const secret of (c.Secrets as Props[] | undefined) ?? []) {
      const arn = r.str(secret.ValueFrom) ?? '';
      const ssm = arn.includes(':ssm:') || arn.startsWith('/');
      needs.push({
        rule: 'Reachability-Secrets',
        api: ssm ? 'ssm' : 'secretsmanager',
        label: `${ssm ? 'SSM parameter' : 'Secrets Manager secret'} ${arn.replace(/^arn:[^:]+:[^:]+:[^:]*:[^:]*:/, '')}`,
        request: {
          action: ssm ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue',
          resource: arn,
          ...own,
        },
      });
    }
  }
  const taskRole = r.target(taskDef.TaskRoleArn);
  const tables = new Set<string>();
  for (const id of r.ofType('AWS::IAM::Policy')) {
    const policy = r.resource(id)!.Properties ?? {};
    if (!taskRole || !r.targets(policy.Roles).includes(taskRole)) continue;
    const statements = policy.PolicyDocument?.Statement;
    for (const s of (Array.isArray(statements) ? statements : [statements]) as Props[]) {
      if (!r.strs(s?.Action).some((a) => a.startsWith('dynamodb:'))) continue;
      for (const arn of r.strs(s.Resource)) if (/:table\/[^/]+$/.test(arn)) tables.add(arn);
    }
  }
  for (const arn of [...tables].sort()) {
    needs.push({
      rule: 'Reachability-DynamoDb',
      api: 'dynamodb',
      label: `DynamoDB table ${arn.split('/').pop()}`,
      request: { action: 'dynamodb:GetItem', resource: arn, ...own },
    });
  }
  if (service.EnableExecuteCommand === true || service.EnableExecuteCommand === 'true') {
    needs.push({
      rule: 'Reachability-Exec',
      api: 'ssmmessages',
      label: 'Session Manager messages (ECS Exec)',
      request: { action: 'ssmmessages:OpenDataChannel', resource: '*', ...own },
    });
    const cluster = r.resource(r.target(service.Cluster) ?? '')?.Properties ?? {};
    const key = r.str(cluster.Configuration?.ExecuteCommandConfiguration?.KmsKeyId);
    if (key) {
      needs.push({
        rule: 'Reachability-Exec',
        api: 'kms',
        label: 'KMS (ECS Exec session key)',
        request: { action: 'kms:Decrypt', resource: key, ...own },
      });
    }
  }
  return needs;
}
