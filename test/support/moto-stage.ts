import { createHash } from 'node:crypto';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResolvedConfig } from '../../src/config/index.ts';
import { names } from '../../src/infra/naming.ts';
import { motoClientConfig } from './moto.ts';

/** How one service of the seeded stage looks. */
export interface SeededService {
  readonly desired: number;
  /** Digests pushed to the service's repository, oldest first (one fake manifest each). */
  readonly pushed: number;
  /** Which of them the task definition runs (0-based). @default the last */
  readonly running?: number;
  /** Targets registered in its target group (moto reports them healthy). @default 0 */
  readonly targets?: number;
  /** Tasks started with RunTask (kept RUNNING). @default 0 */
  readonly tasks?: number;
}

export interface SeededStage {
  /** Per service: the pushed digests, oldest first, and the ids of its running tasks. */
  readonly services: Record<
    string,
    { readonly digests: readonly string[]; readonly taskIds: readonly string[] }
  >;
}

/**
 * What `berth deploy` leaves behind, made in moto by hand with the SDK, because moto records ECS
 * services from CloudFormation only in part (no load balancer, no network, running 0): the
 * cluster, the repositories with pushed images, task definitions pinned by digest, target groups
 * with registered targets, services and running tasks. moto_server must run with
 * MOTO_ECS_SERVICE_RUNNING set (running count and a COMPLETED rollout).
 */
export async function seedStage(
  endpoint: string,
  config: ResolvedConfig,
  services: Readonly<Record<string, SeededService>>,
): Promise<SeededStage> {
  const aws = motoClientConfig(endpoint);
  const ecs = new ECSClient(aws);
  const ecr = new ECRClient(aws);
  const elb = new ElasticLoadBalancingV2Client(aws);
  const ec2 = new EC2Client(aws);
  try {
    // Tasks stay RUNNING instead of moving on to STOPPED on the next read.
    await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1000 } }),
    });
    const vpc = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
    const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
    // moto's ECS fails (500) on an awsvpc configuration without security groups.
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups![0]!.GroupId!;
    const network = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } };
    const cluster = names.cluster(config);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const seeded: Record<string, { digests: string[]; taskIds: string[] }> = {};
    for (const [id, spec] of Object.entries(services)) {
      const service = config.services.find((s) => s.id === id)!;
      const repositoryName = names.repository(config, service);
      const repositoryUri = `${config.env.account}.dkr.ecr.${config.env.region}.amazonaws.com/${repositoryName}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      const digests: string[] = [];
      for (let n = 0; n < spec.pushed; n++) {
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: 1,
            digest: `sha256:${createHash('sha256').update(`${id}${n}`).digest('hex')}`,
          },
          layers: [],
        });
        const imageDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
        await ecr.send(
          new PutImageCommand({ repositoryName, imageManifest: manifest, imageDigest, imageTag: `v${n}` }),
        );
        digests.push(imageDigest);
        // ECR's imagePushedAt has a resolution of a second.
        if (n < spec.pushed - 1) await new Promise((resolve) => setTimeout(resolve, 1100));
      }
      const family = `${names.service(config, service)}`;
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            {
              name: id,
              image: `${repositoryUri}@${digests[spec.running ?? spec.pushed - 1]}`,
              cpu: 256,
              memory: 512,
              essential: true,
              portMappings: [{ containerPort: service.port }],
            },
          ],
        }),
      );
      const { TargetGroups } = await elb.send(
        new CreateTargetGroupCommand({
          Name: `${id}-tg`,
          Protocol: 'HTTP',
          Port: service.port,
          VpcId: vpc,
          TargetType: 'ip',
          HealthCheckPath: service.healthCheck.path,
        }),
      );
      const targetGroupArn = TargetGroups![0]!.TargetGroupArn!;
      if (spec.targets)
        await elb.send(
          new RegisterTargetsCommand({
            TargetGroupArn: targetGroupArn,
            Targets: Array.from({ length: spec.targets }, (_, i) => ({
              Id: `10.0.0.${i + 10}`,
              Port: service.port,
            })),
          }),
        );
      await ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: names.service(config, service),
          taskDefinition: taskDefinition!.taskDefinitionArn!,
          desiredCount: spec.desired,
          launchType: 'FARGATE',
          loadBalancers: [{ targetGroupArn, containerName: id, containerPort: service.port }],
          networkConfiguration: network,
          enableExecuteCommand: true,
        }),
      );
      const taskIds: string[] = [];
      if (spec.tasks) {
        const { tasks } = await ecs.send(
          new RunTaskCommand({
            cluster,
            taskDefinition: taskDefinition!.taskDefinitionArn!,
            count: spec.tasks,
            launchType: 'FARGATE',
            // What ECS sets on a service's tasks; moto's ListTasks ignores serviceName.
            group: `service:${names.service(config, service)}`,
            enableExecuteCommand: true,
            networkConfiguration: network,
          }),
        );
        taskIds.push(...(tasks ?? []).map((t) => t.taskArn!.split('/').pop()!));
      }
      seeded[id] = { digests, taskIds };
    }
    return { services: seeded };
  } finally {
    ecs.destroy();
    ecr.destroy();
    elb.destroy();
    ec2.destroy();
  }
}
