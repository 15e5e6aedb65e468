// Types from their own modules, not the config barrel: config/load.ts calls the stack-size model
// (stack-limits.ts), so a barrel import here would close a loop.
import type { ConfigIssue } from '../config/errors.ts';
import type { ResolvedConfig, ResolvedService } from '../config/normalize.ts';
import { shiftsTraffic } from '../config/services.ts';
import { certificateNames, routedHosts } from './certificate-names.ts';
import { interfaceEndpoints } from './endpoints.ts';
import { names } from './naming.ts';

/**
 * CloudFormation's hard limits per stack (not quotas a support case raises): a config over one
 * fails at deploy, or in `berth check`'s cfn-lint, with CloudFormation's own words. berth finds it
 * in the config step instead, from this model of what the stacks hold.
 */
export const STACK_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  /** Bytes of a template read from S3, as CDK deploys every template over 50 KB. */
  templateBytes: 1_048_576,
} as const;

export type StackLimit = keyof typeof STACK_LIMITS;

/** What one stack holds, as the model counts it. */
export type StackSize = Record<StackLimit, number>;

export interface StackSizes {
  /** `<App>Registry`: the image repositories. */
  readonly registry: StackSize;
  /** `<App><Stage>`: everything that runs the app. */
  readonly app: StackSize;
}

/*
 * The counts below are exact for what src/infra generates today (resources, outputs, parameters):
 * test/infra/stack-limits.test.ts synthesizes the reference config and its variants and compares.
 * A construct that adds or drops a resource fails that test until this model says so too.
 */

/**
 * Resources every app stack has whatever the config: the app key, the VPC, its internet gateway
 * and attachment, the default-SG closer (custom resource, Lambda, role, log group), flow logs, the
 * two buckets with their policies, the ALB with its security group, two listeners and certificate,
 * the cluster with its namespace and capacity providers.
 */
const APP_FIXED = 22;
/** A public subnet: subnet, route table, association, default route to the internet gateway. */
const PUBLIC_SUBNET = 4;
/** A private subnet with egress: the same four, its default route to the NAT. */
const PRIVATE_SUBNET = 4;
/** An isolated subnet (egress: endpoints): no default route. */
const ISOLATED_SUBNET = 3;
/** NAT instance: instance, role, instance profile, launch template, security group, two recovery alarms. */
const NAT_INSTANCE = 7;
/** NAT gateway: the gateway and its Elastic IP. */
const NAT_GATEWAY = 2;
/** Web ACL, its association, its log group and logging configuration. */
const WAF = 4;
/**
 * Every service: log group, execution role and its policy, task role, task definition, security
 * group, Fargate service, scalable target, CPU scaling policy.
 */
const SERVICE = 9;
/**
 * A routed service adds its target group, listener rule, request-count scaling policy, and the
 * ALB's rule pair to it (ingress on the task group, egress on the ALB group).
 */
const ROUTED = 5;
/** A declared call: ingress on the callee's group and egress on the caller's. */
const CALL = 2;
/**
 * Once for all services whose release shifts traffic (blue-green, canary, linear): the test
 * listener, the verifier hook (Lambda, its role, policy and log group) and the deployment's role and policy.
 */
const RELEASE_SHARED = 7;
/**
 * Each such service: its green target group, test listener rule, infrastructure role and two
 * rollback alarms, less the request-count scaling policy a traffic-shifting service does not get.
 */
const RELEASE_SHIFTING = 4;

/**
 * Template bytes as CDK writes them (indented JSON). Unlike the counts, this is an upper bound,
 * not exact: the test checks that it stays above the real size and within half again of it.
 */
const BYTES = {
  appFixed: 6_000,
  /** Resources average about 800 bytes indented (a service's 15 are 12 KB; calls' rules are smaller). */
  perResource: 820,
  /** The app name and the service id are repeated in names, descriptions and logical ids. */
  perAppNameChar: 20,
  perServiceIdChar: 40,
  /** The config's own strings (environment values, paths, commands) land in the template indented. */
  userDataFactor: 1.5,
  /** The verifier hook's inline code and the release's IAM statements. */
  releaseShared: 20_000,
  registryFixed: 200,
  perRepository: 1_700,
  perRepositoryNameChar: 8,
} as const;

/** What berth's two stacks for a config will hold, before anything is synthesized. */
export function estimateStackSizes(config: ResolvedConfig): StackSizes {
  const built = config.services.filter((s) => s.image.kind === 'build').length;
  // One repository (and its URI output) per built service, and one for the mirrored base image.
  const repositories = 1 + built;
  const appResources = countAppResources(config);
  const routed = config.services.filter((s) => s.route).length;
  return {
    registry: {
      resources: repositories,
      outputs: repositories,
      parameters: 0,
      templateBytes:
        BYTES.registryFixed +
        repositories * (BYTES.perRepository + BYTES.perRepositoryNameChar * config.app.length) +
        config.services.reduce(
          (sum, s) => sum + (s.image.kind === 'build' ? BYTES.perRepositoryNameChar * s.id.length : 0),
          0,
        ),
    },
    app: {
      resources: appResources,
      // A service name for each service, a URL for each routed one, the cluster name, the ALB's DNS name.
      outputs: config.services.length + routed + 2,
      // The NAT instance's AMI, read from SSM at deploy time.
      parameters: config.network.egress === 'nat-instance' ? 1 : 0,
      templateBytes:
        BYTES.appFixed +
        (config.services.some(shiftsTraffic) ? BYTES.releaseShared : 0) +
        BYTES.perResource * appResources +
        BYTES.perAppNameChar * config.app.length * (config.services.length + 1) +
        config.services.reduce(
          (sum, s) =>
            sum + BYTES.perServiceIdChar * s.id.length + Math.ceil(BYTES.userDataFactor * userData(s)),
          0,
        ),
    },
  };
}

function countAppResources(config: ResolvedConfig): number {
  const { egress, azs } = config.network;
  const privateSubnet =
    egress === 'public-tasks' ? 0 : egress === 'endpoints' ? ISOLATED_SUBNET : PRIVATE_SUBNET;
  const egressResources =
    egress === 'nat-instance'
      ? NAT_INSTANCE
      : egress === 'nat-gateway'
        ? NAT_GATEWAY
        : egress === 'endpoints'
          ? 1 + interfaceEndpoints(config).length // their shared security group, then one each
          : 0;
  // Gateway endpoints on the private route tables: S3 always, DynamoDB when there are tables.
  const gatewayEndpoints = egress === 'public-tasks' ? 0 : 1 + (config.tables.length > 0 ? 1 : 0);
  // The NAT instance's or the endpoints' group admits each service's tasks by its own rule.
  const egressRulePerService = egress === 'nat-instance' || egress === 'endpoints' ? 1 : 0;
  const hosts = routedHosts(config).length;
  const shifting = config.services.filter(shiftsTraffic).length;
  const perService = config.services.reduce(
    (sum, s) =>
      sum +
      SERVICE +
      // The task role gets a policy only when it is granted something: a table, or exec's channels.
      (s.permissions.length > 0 || config.exec ? 1 : 0) +
      (s.route ? ROUTED : 0) +
      egressRulePerService +
      CALL * s.calls.length,
    0,
  );
  // A certificate past the first (APP_FIXED's) for each ten names, each added to every HTTPS
  // listener (443, and the test listener) by a resource of its own.
  const httpsListeners = 1 + (shifting > 0 ? 1 : 0);
  const moreCertificates = (certificateNames(config).length - 1) * (1 + httpsListeners);
  return (
    APP_FIXED +
    moreCertificates +
    azs * (PUBLIC_SUBNET + privateSubnet) +
    egressResources +
    gatewayEndpoints +
    config.tables.length +
    (config.waf ? WAF : 0) +
    perService +
    (shifting > 0 ? RELEASE_SHARED + RELEASE_SHIFTING * shifting : 0) +
    // One alias record per name the routes answer on.
    hosts
  );
}

/** Characters of a service's own settings that the template carries. */
function userData(service: ResolvedService): number {
  return JSON.stringify([
    service.environment,
    service.secrets,
    service.healthCheck,
    service.route ?? null,
    service.release,
  ]).length;
}

/** Names the config paths a user would change to shrink each kind of count. */
const FIX: Record<StackLimit, string> = {
  resources:
    'split the services into two apps (two configs with their own `app` names, hence their own stacks), or declare fewer services, routes or calls',
  outputs:
    'split the services into two apps (two configs with their own `app` names), or declare fewer services',
  parameters: "use another network.egress than 'nat-instance'",
  templateBytes:
    'split the services into two apps (two configs with their own `app` names), or move large environment values out of the config (e.g. into SSM parameters read as secrets)',
};

const WHAT: Record<StackLimit, string> = {
  resources: 'resources',
  outputs: 'outputs',
  parameters: 'parameters',
  templateBytes: 'bytes of template',
};

/** The limits a config's stacks would break, as config issues naming the count, the limit and the fix. */
export function stackLimitIssues(config: ResolvedConfig): ConfigIssue[] {
  const stackNames = { registry: names.registryStack(config), app: names.appStack(config) };
  const sizes = estimateStackSizes(config);
  const issues: ConfigIssue[] = [];
  for (const stack of ['registry', 'app'] as const) {
    for (const limit of Object.keys(STACK_LIMITS) as StackLimit[]) {
      const count = sizes[stack][limit];
      const max = STACK_LIMITS[limit];
      if (count <= max) continue;
      const about = limit === 'templateBytes' ? 'about ' : '';
      // Declared calls are the part that grows with the square of the services: say how much they take.
      const calls = config.services.reduce((sum, s) => sum + s.calls.length, 0);
      const ofCalls =
        stack === 'app' && limit === 'resources' && calls > 0
          ? ` (${CALL * calls} of them for ${calls} declared calls)`
          : '';
      issues.push({
        path: 'services',
        message: `${config.services.length} services make stack ${stackNames[stack]} ${about}${count} ${WHAT[limit]}${ofCalls}, over CloudFormation's limit of ${max} per stack; ${FIX[limit]}`,
      });
    }
  }
  return issues;
}
