import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from '../infra/acknowledge.ts';
import { pascal } from '../infra/naming.ts';

/** GitHub Actions' OpenID Connect issuer, as IAM names its provider. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience configure-aws-credentials asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** CDK's default bootstrap qualifier: the roles `berth bootstrap` made are named with it. */
const CDK_QUALIFIER = 'hnb659fds';

export interface AccessStage {
  readonly name: string;
  readonly region: string;
  /** `berth-<app>-deploy-<stage>` (src/ci/plan.ts). */
  readonly roleName: string;
  /** The app stack of the stage, e.g. CruddurProd. */
  readonly appStack: string;
  /** The ECS cluster of the stage, e.g. cruddur-prod. */
  readonly cluster: string;
  /** What a release's alarms are named with, e.g. cruddur-prod- (src/infra/naming.ts releaseAlarm). */
  readonly alarmPrefix: string;
  /** The release verifier hook's log group, e.g. /berth/cruddur/prod/release-verifier. */
  readonly verifierLogGroup: string;
}

export interface CiAccessStackProps extends StackProps {
  readonly app: string;
  /** `OWNER/NAME` */
  readonly repo: string;
  /** The provider already in the account (an ARN), or undefined: this stack creates it. */
  readonly existingProviderArn?: string;
  /** The registry stack (shared by the app's stages), e.g. CruddurRegistry. */
  readonly registryStack: string;
  /** berth mirror's repository of base images (`<app>/base`), which a pull request's build pulls from. */
  readonly baseRepository: string;
  /** Every stage of the app in this stack's account: each gets its deploy role. */
  readonly stages: readonly AccessStage[];
  /** The role of the pull-request job, with the stage it diffs against; none when that stage lives elsewhere. */
  readonly diff?: { readonly roleName: string; readonly stage: AccessStage };
}

/**
 * What CI needs in one account to deploy without stored keys: GitHub's OpenID Connect provider
 * (created once per account, or the one already there, imported), one deploy role per stage that
 * only this repository's jobs in that stage's GitHub environment can assume, and a read-only role
 * for the pull-request diff. The roles can do no more than what berth does with the caller's own
 * credentials (read src/aws for the list); everything that changes stacks goes through CDK's
 * bootstrap roles, which are all the deploy role may assume.
 */
export class CiAccessStack extends Stack {
  public readonly provider: iam.IOidcProvider;
  public readonly deployRoles: Readonly<Record<string, iam.Role>>;
  public readonly diffRole?: iam.Role;

  constructor(scope: Construct, id: string, props: CiAccessStackProps) {
    super(scope, id, props);
    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidc', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'GitHubOidc', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // Account-wide: other stacks and teams may come to trust it, so deleting this stack keeps it.
          removalPolicy: RemovalPolicy.RETAIN,
        });
    const roles: Record<string, iam.Role> = {};
    for (const stage of props.stages) {
      const role = this.githubRole(`Deploy${pascal(stage.name)}`, {
        roleName: stage.roleName,
        subject: `repo:${props.repo}:environment:${stage.name}`,
        description: `berth: CI deploys of ${props.app} stage ${stage.name} from ${props.repo} (GitHub environment ${stage.name})`,
      });
      const policy = new iam.ManagedPolicy(this, `Deploy${pascal(stage.name)}Policy`, {
        description: `berth: what CI deploys of ${props.app} stage ${stage.name} may do`,
        roles: [role],
        statements: deployStatements(this.account, props, stage),
      });
      acknowledge(policy, {
        'AwsSolutions-IAM5[Resource::*]':
          "ecr:GetAuthorizationToken has no resource-level permission in IAM; ecs:ListTasks is limited to the stage's cluster by the ecs:cluster condition",
        ...wildcardReasons(this.account, props, [stage]),
      });
      roles[stage.name] = role;
    }
    this.deployRoles = roles;
    if (props.diff) {
      const { stage } = props.diff;
      this.diffRole = this.githubRole('Diff', {
        roleName: props.diff.roleName,
        subject: `repo:${props.repo}:pull_request`,
        description: `berth: read-only diff of ${props.app} stage ${stage.name} for pull requests of ${props.repo}`,
      });
      const policy = new iam.ManagedPolicy(this, 'DiffPolicy', {
        description: `berth: what the pull-request diff of ${props.app} may read`,
        roles: [this.diffRole],
        statements: diffStatements(this.account, props, stage),
      });
      acknowledge(policy, {
        'AwsSolutions-IAM5[Resource::*]': 'ecr:GetAuthorizationToken has no resource-level permission in IAM',
        ...wildcardReasons(this.account, props, [], stage),
      });
    }
  }

  /** A role only GitHub's token for exactly `subject`, issued for STS, can assume: StringEquals, no wildcard. */
  private githubRole(id: string, o: { roleName: string; subject: string; description: string }): iam.Role {
    return new iam.Role(this, id, {
      roleName: o.roleName,
      description: o.description,
      // IAM's minimum: a deploy longer than an hour is not expected, and a leaked session dies soon.
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.OpenIdConnectPrincipal(this.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: o.subject,
        },
      }),
    });
  }
}

const cdkRole = (account: string, region: string, kind: string) =>
  `arn:aws:iam::${account}:role/cdk-${CDK_QUALIFIER}-${kind}-role-${account}-${region}`;
const stackArn = (account: string, region: string, stack: string) =>
  `arn:aws:cloudformation:${region}:${account}:stack/${stack}/*`;
const repositories = (account: string, region: string, app: string) =>
  `arn:aws:ecr:${region}:${account}:repository/${app}/*`;

/**
 * Why each wildcard in the policies is there: the app's own repositories (a service added later
 * needs no new bootstrap), a stack's id after its name, and a cluster's services and tasks.
 */
function wildcardReasons(
  account: string,
  props: CiAccessStackProps,
  deploying: readonly AccessStage[],
  diffing?: AccessStage,
): Record<string, string> {
  const stage = deploying[0] ?? diffing!;
  const reasons: Record<string, string> = {
    [`AwsSolutions-IAM5[Resource::${repositories(account, stage.region, props.app)}]`]: `the repositories berth names ${props.app}/<service>; a service added later needs no new CI bootstrap`,
  };
  const stacks =
    deploying.length > 0
      ? [props.registryStack, ...props.stages.map((s) => s.appStack)]
      : [props.registryStack, stage.appStack];
  for (const s of stacks)
    reasons[`AwsSolutions-IAM5[Resource::${stackArn(account, stage.region, s)}]`] =
      `the stack ${s}; CloudFormation stack ARNs end in an id that changes when the stack is created again`;
  for (const d of deploying) {
    reasons[`AwsSolutions-IAM5[Resource::arn:aws:ecs:${d.region}:${account}:service/${d.cluster}/*]`] =
      `the ECS services of cluster ${d.cluster}, read for the rollout`;
    reasons[`AwsSolutions-IAM5[Resource::arn:aws:ecs:${d.region}:${account}:task/${d.cluster}/*]`] =
      `the tasks of cluster ${d.cluster}, read for why a rollout stopped them`;
    reasons[
      `AwsSolutions-IAM5[Resource::arn:aws:ecs:${d.region}:${account}:service-deployment/${d.cluster}/*]`
    ] = `the service deployments of cluster ${d.cluster}, read to follow a release`;
    reasons[
      `AwsSolutions-IAM5[Resource::arn:aws:cloudwatch:${d.region}:${account}:alarm:${d.alarmPrefix}*]`
    ] = `the stage's release alarms, named ${d.alarmPrefix}<service>-release-<kind>`;
    reasons[
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${d.region}:${account}:log-group:${d.verifierLogGroup}:*]`
    ] = `the release verifier's log streams in ${d.verifierLogGroup}`;
  }
  return reasons;
}

/** The registry login both roles need; GetAuthorizationToken has no resource-level permission in IAM. */
function ecrLogin(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'EcrLogin',
    actions: ['ecr:GetAuthorizationToken'],
    resources: ['*'],
  });
}

/**
 * A stage's deploy: assume CDK's deploy, file-publishing and lookup roles (the toolkit changes
 * stacks through them), push the app's images, and the reads berth deploy makes itself: the
 * deployed templates (digests, cost inputs, stack state), the images and their scan findings, the
 * ECS rollout. GetCallerIdentity needs no permission.
 */
function deployStatements(
  account: string,
  props: CiAccessStackProps,
  stage: AccessStage,
): iam.PolicyStatement[] {
  const { region } = stage;
  return [
    new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole'],
      resources: ['deploy', 'file-publishing', 'lookup'].map((kind) => cdkRole(account, region, kind)),
    }),
    ecrLogin(),
    new iam.PolicyStatement({
      sid: 'PushAndReadAppImages',
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:DescribeRepositories',
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:StartImageScan',
      ],
      resources: [repositories(account, region, props.app)],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAppStacks',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      // Every stage's app stack of this account: --images-from reads the stage it promotes from.
      resources: [props.registryStack, ...props.stages.map((s) => s.appStack)].map((s) =>
        stackArn(account, region, s),
      ),
    }),
    new iam.PolicyStatement({
      sid: 'CancelOwnStageUpdate',
      // A cancelled CI job (SIGINT) makes berth deploy cancel the stack update it started and wait
      // for the rollback, as Ctrl-C does; only this stage's app stack.
      actions: ['cloudformation:CancelUpdateStack'],
      resources: [stackArn(account, region, stage.appStack)],
    }),
    new iam.PolicyStatement({
      sid: 'ReadRollout',
      actions: ['ecs:DescribeServices'],
      resources: [`arn:aws:ecs:${region}:${account}:service/${stage.cluster}/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadStoppedTasks',
      actions: ['ecs:DescribeTasks'],
      resources: [`arn:aws:ecs:${region}:${account}:task/${stage.cluster}/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadReleases',
      // A blue/green, canary or linear service's deployment stages, as berth deploy follows them.
      actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
      resources: [
        `arn:aws:ecs:${region}:${account}:service/${stage.cluster}/*`,
        `arn:aws:ecs:${region}:${account}:service-deployment/${stage.cluster}/*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ReadReleaseAlarmsAndVerifier',
      // Why a release rolled back: its alarms' states and the verifier hook's records.
      actions: ['cloudwatch:DescribeAlarms', 'logs:FilterLogEvents'],
      resources: [
        `arn:aws:cloudwatch:${region}:${account}:alarm:${stage.alarmPrefix}*`,
        `arn:aws:logs:${region}:${account}:log-group:${stage.verifierLogGroup}:*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ListStoppedTasks',
      // ListTasks is scoped by its cluster condition, not by a resource ARN.
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'ecs:cluster': `arn:aws:ecs:${region}:${account}:cluster/${stage.cluster}` },
      },
    }),
  ];
}

/** The pull-request diff: the lookup role and the reads of berth diff --method template. Nothing that writes. */
function diffStatements(
  account: string,
  props: CiAccessStackProps,
  stage: AccessStage,
): iam.PolicyStatement[] {
  const { region } = stage;
  return [
    new iam.PolicyStatement({
      sid: 'AssumeCdkLookupRole',
      actions: ['sts:AssumeRole'],
      resources: [cdkRole(account, region, 'lookup')],
    }),
    new iam.PolicyStatement({
      sid: 'ReadDeployedStacks',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      resources: [props.registryStack, stage.appStack].map((s) => stackArn(account, region, s)),
    }),
    new iam.PolicyStatement({
      sid: 'ReadAppImages',
      actions: ['ecr:DescribeImages'],
      resources: [repositories(account, region, props.app)],
    }),
    ecrLogin(),
    new iam.PolicyStatement({
      sid: 'PullMirroredBases',
      // The pull request's build takes its bases from berth mirror's copies; pulling is all it may do.
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [`arn:aws:ecr:${region}:${account}:repository/${props.baseRepository}`],
    }),
  ];
}
