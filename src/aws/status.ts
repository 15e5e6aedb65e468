import {
  DescribeImagesCommand,
  ECRClient,
  RepositoryNotFoundException,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResolvedConfig, ResolvedService } from '../config/index.ts';
import { shiftsTraffic } from '../config/services.ts';
import { names } from '../infra/naming.ts';
import { clientConfig } from './clients.ts';
import { silentAws, type AwsNotify } from './events.ts';
import { assertAccount } from './identity.ts';
import { publicUrl } from './verify.ts';
import { releaseStatus, sdkReleaseApi, type ReleaseApi, type ReleaseStatus } from './release/index.ts';

export interface StageStatusOptions {
  /** The stage's config: `config.stage` names the stage read. */
  readonly config: ResolvedConfig;
  /** How many service events to show for a service with a problem. @default 5 */
  readonly events?: number;
  readonly notify?: AwsNotify;
  /** ECS deployments and alarms of traffic-shifting services; a stand-in in tests (moto has none). */
  readonly releaseApi?: ReleaseApi;
}

export interface StageStatus {
  /** Which one answered: `stage prod (account 123456789012, us-east-1)`. */
  readonly answeredBy: string;
  readonly stage: string;
  readonly account: string;
  readonly region: string;
  readonly cluster: string;
  /** False when the stage's cluster does not exist (never deployed, or destroyed). */
  readonly deployed: boolean;
  readonly services: readonly ServiceStatus[];
}

export interface ServiceStatus {
  readonly id: string;
  /** The ECS service's name. */
  readonly name: string;
  readonly deployed: boolean;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** The current (PRIMARY) deployment's rollout: IN_PROGRESS, COMPLETED or FAILED. */
  readonly rollout?: { readonly state: string; readonly reason?: string };
  readonly taskDefinition?: string;
  /** The image of the running task definition, and its digest when pinned (`repo@sha256:...`). */
  readonly image?: string;
  readonly digest?: string;
  /** The digest last pushed to the service's ECR repository. */
  readonly latestPushed?: string;
  /** True when the running image is the last pushed one; undefined when that cannot be told. */
  readonly current?: boolean;
  readonly targets?: {
    readonly healthy: number;
    readonly unhealthy: number;
    readonly other: number;
    /** `unhealthy: Target.ResponseCodeMismatch` and the like, one per target not healthy. */
    readonly reasons: readonly string[];
  };
  readonly url?: string;
  /** Blue/green, canary and linear services: the release's stage, traffic split and alarm states. */
  readonly release?: ReleaseStatus;
  /** What looks wrong, one short sentence each; empty when all is well. */
  readonly problems: readonly string[];
  /** The latest service events, newest first, only when there is a problem. */
  readonly events: readonly { readonly at: string; readonly message: string }[];
}

/**
 * What runs in a deployed stage, per service: task counts, the rollout of the current deployment,
 * the image digest and whether it is the last one pushed, target health and the URL. Only reads.
 */
export async function stageStatus(options: StageStatusOptions): Promise<StageStatus> {
  const { config } = options;
  const aws = clientConfig(config);
  // Reading another account than the config's would show someone else's stage under this app's name.
  const { account } = await assertAccount(config, options.notify ?? silentAws);
  const cluster = names.cluster(config);
  const answeredBy = `stage ${config.stage} (account ${account}, ${config.env.region})`;
  options.notify?.({
    level: 'info',
    code: 'aws.status.read',
    message: `reading ${answeredBy}`,
    data: { stage: config.stage, account, region: config.env.region },
  });
  // What both answers share, deployed or not.
  const header = { answeredBy, stage: config.stage, account, region: config.env.region, cluster };
  const ecs = new ECSClient(aws);
  const ecr = new ECRClient(aws);
  const elb = new ElasticLoadBalancingV2Client(aws);
  const shifting = config.services.some(shiftsTraffic);
  const releases = shifting ? (options.releaseApi ?? sdkReleaseApi(config)) : undefined;
  try {
    let described: Service[];
    try {
      const response = await ecs.send(
        new DescribeServicesCommand({
          cluster,
          services: config.services.map((s) => names.service(config, s)),
        }),
      );
      described = response.services ?? [];
    } catch (error) {
      if (!(error instanceof ClusterNotFoundException)) throw error;
      return { ...header, deployed: false, services: config.services.map((s) => notDeployed(config, s)) };
    }
    const services = await Promise.all(
      config.services.map((s) => {
        const service = described.find(
          (d) => d.serviceName === names.service(config, s) && d.status !== 'INACTIVE',
        );
        return service
          ? serviceStatus(config, s, service, { ecs, ecr, elb, releases }, options.events ?? 5)
          : notDeployed(config, s);
      }),
    );
    return { ...header, deployed: true, services };
  } finally {
    ecs.destroy();
    ecr.destroy();
    elb.destroy();
    if (releases && !options.releaseApi) releases.destroy();
  }
}

function notDeployed(config: ResolvedConfig, service: ResolvedService): ServiceStatus {
  const url = publicUrl(service);
  return {
    id: service.id,
    name: names.service(config, service),
    deployed: false,
    desired: 0,
    running: 0,
    pending: 0,
    ...(url ? { url } : {}),
    problems: ['not deployed'],
    events: [],
  };
}

interface Clients {
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly releases: ReleaseApi | undefined;
}

async function serviceStatus(
  config: ResolvedConfig,
  service: ResolvedService,
  described: Service,
  clients: Clients,
  eventCount: number,
): Promise<ServiceStatus> {
  const problems: string[] = [];
  const desired = described.desiredCount ?? 0;
  const running = described.runningCount ?? 0;
  const pending = described.pendingCount ?? 0;
  if (running < desired) problems.push(`${running} of ${desired} tasks running`);
  const primary = described.deployments?.find((d) => d.status === 'PRIMARY');
  const rollout = primary?.rolloutState
    ? {
        state: primary.rolloutState,
        ...(primary.rolloutStateReason ? { reason: primary.rolloutStateReason } : {}),
      }
    : undefined;
  if (rollout?.state === 'FAILED')
    problems.push(`rollout failed${rollout.reason ? `: ${rollout.reason}` : ''}`);
  else if (rollout?.state === 'IN_PROGRESS') problems.push('rollout in progress');

  const taskDefinition = described.taskDefinition;
  const image = taskDefinition ? await containerImage(clients.ecs, taskDefinition, service.id) : undefined;
  const digest = image?.includes('@') ? image.slice(image.indexOf('@') + 1) : undefined;
  const latestPushed =
    service.image.kind === 'build'
      ? await latestDigest(clients.ecr, names.repository(config, service))
      : undefined;
  const current = digest && latestPushed ? digest === latestPushed : undefined;
  if (current === false) problems.push('runs an older image than the last one pushed');

  const targets = await targetHealth(
    clients.elb,
    (described.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
  );
  if (targets && targets.unhealthy > 0) problems.push(`${targets.unhealthy} unhealthy target(s)`);
  if (targets && service.route && targets.healthy === 0 && desired > 0) problems.push('no healthy target');

  const release =
    clients.releases && shiftsTraffic(service)
      ? await releaseStatus(clients.releases, config, service)
      : undefined;
  for (const alarm of release?.alarms ?? [])
    if (alarm.state === 'ALARM') problems.push(`alarm ${alarm.name} is in ALARM`);
  if (release?.phase === 'rolled-back' || release?.phase === 'rollback-failed')
    problems.push(`last release: ${release.text}`);

  const url = publicUrl(service);
  return {
    id: service.id,
    name: described.serviceName ?? names.service(config, service),
    deployed: true,
    desired,
    running,
    pending,
    ...(rollout ? { rollout } : {}),
    ...(taskDefinition ? { taskDefinition } : {}),
    ...(image ? { image } : {}),
    ...(digest ? { digest } : {}),
    ...(latestPushed ? { latestPushed } : {}),
    ...(current === undefined ? {} : { current }),
    ...(targets ? { targets } : {}),
    ...(url ? { url } : {}),
    ...(release ? { release } : {}),
    problems,
    events:
      problems.length === 0
        ? []
        : (described.events ?? []).slice(0, eventCount).map((e) => ({
            at: e.createdAt?.toISOString() ?? '',
            message: e.message ?? '',
          })),
  };
}

async function containerImage(
  ecs: ECSClient,
  taskDefinition: string,
  container: string,
): Promise<string | undefined> {
  const { taskDefinition: td } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const definitions = td?.containerDefinitions ?? [];
  return (definitions.find((c) => c.name === container) ?? definitions[0])?.image;
}

/** The digest pushed last to a repository; undefined when it holds none (or does not exist). */
async function latestDigest(ecr: ECRClient, repositoryName: string): Promise<string | undefined> {
  const images: ImageDetail[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeImagesCommand({ repositoryName, nextToken }));
      images.push(...(page.imageDetails ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (error instanceof RepositoryNotFoundException) return undefined;
    throw error;
  }
  const latest = images.reduce<ImageDetail | undefined>(
    (best, i) => ((i.imagePushedAt?.getTime() ?? 0) >= (best?.imagePushedAt?.getTime() ?? -1) ? i : best),
    undefined,
  );
  return latest?.imageDigest;
}

async function targetHealth(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
): Promise<ServiceStatus['targets']> {
  if (targetGroupArns.length === 0) return undefined;
  let healthy = 0;
  let unhealthy = 0;
  let other = 0;
  const reasons: string[] = [];
  for (const TargetGroupArn of targetGroupArns) {
    const { TargetHealthDescriptions } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn }));
    for (const t of TargetHealthDescriptions ?? []) {
      const state = t.TargetHealth?.State ?? 'unknown';
      if (state === 'healthy') healthy++;
      else {
        if (state === 'unhealthy') unhealthy++;
        else other++;
        reasons.push(
          `${t.Target?.Id ?? '?'}: ${state}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason})` : ''}`,
        );
      }
    }
  }
  return { healthy, unhealthy, other, reasons };
}
