import type { ResolvedConfig, StageSummary } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { UsageError } from '../shared/errors.ts';

/**
 * What every CI provider runs, derived once from the stages the config declares
 * (`ResolvedConfig.stages`): the order of the deploys, which stage builds the images and which
 * take them by digest, and the stage a pull request is diffed against.
 */
export interface CiPlan {
  readonly app: string;
  /** Non-production stages in the order declared, then the production ones. */
  readonly deploys: readonly StageDeploy[];
  /** The stage a pull request's `berth diff` compares with: the first non-production one. */
  readonly diffStage: StageSummary;
  /** The role the pull-request job assumes: read-only, in the diff stage's account. */
  readonly pullRequestRole: CiRole;
  /**
   * True when a service builds FROM berth mirror's copy in the builder stage's `<app>/base` (as
   * BUILD_IMAGE or BASE_IMAGE in `image.args`): the pull request's build then pulls it through that
   * role, which may pull from that repository and no other.
   */
  readonly privateBases: boolean;
}

export interface StageDeploy {
  readonly stage: StageSummary;
  /** The stage whose digests this one deploys (`--images-from`); none for the one that builds. */
  readonly imagesFrom?: string;
  /** The deploys that must finish first: every earlier stage. */
  readonly after: readonly string[];
  readonly role: CiRole;
}

export interface CiRole {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
}

/**
 * The deploy role of a stage, named from the app and the stage, so the workflow derives its ARN
 * from the stage's account and needs no secret: `berth-<app>-deploy-<stage>`.
 */
export function deployRoleName(app: string, stage: string): string {
  return roleName(`berth-${app}-deploy-${stage}`);
}

/** The read-only role of the pull-request job: `berth-<app>-diff`. */
export function diffRoleName(app: string): string {
  return roleName(`berth-${app}-diff`);
}

function roleName(name: string): string {
  // IAM's limit; app and stage names are short identifiers, so this only guards odd configs.
  if (name.length > 64)
    throw new UsageError(`IAM role name ${name} is longer than 64 characters; shorten the app or stage name`);
  return name;
}

function role(name: string, stage: StageSummary): CiRole {
  return {
    name,
    arn: `arn:aws:iam::${stage.account}:role/${name}`,
    account: stage.account,
    region: stage.region,
  };
}

export function ciPlan(config: ResolvedConfig): CiPlan {
  const ordered = [
    ...config.stages.filter((s) => !s.production),
    ...config.stages.filter((s) => s.production),
  ];
  if (ordered.length === 0) throw new UsageError('the config declares no stage to deploy');
  const builder = ordered[0]!;
  // Promotion by digest needs one registry: every stage takes the builder's images, which only
  // works in the builder's account and region (src/aws/deploy/promoted-images.ts).
  const apart = ordered.filter((s) => s.account !== builder.account || s.region !== builder.region);
  if (apart.length > 0)
    throw new UsageError(
      `stage ${apart.map((s) => `${s.name} (${s.account}/${s.region})`).join(', ')} is not in the account and region of ${builder.name} (${builder.account}/${builder.region}); berth ci promotes one build by digest through one registry, so every stage must share it`,
    );
  const deploys = ordered.map((stage, i) => ({
    stage,
    ...(i === 0 ? {} : { imagesFrom: builder.name }),
    after: ordered.slice(0, i).map((s) => s.name),
    role: role(deployRoleName(config.app, stage.name), stage),
  }));
  return {
    app: config.app,
    deploys,
    diffStage: builder,
    pullRequestRole: role(diffRoleName(config.app), builder),
    privateBases: privateBases(config, builder),
  };
}

function privateBases(config: ResolvedConfig, builder: StageSummary): boolean {
  const mirror = `${builder.account}.dkr.ecr.${builder.region}.amazonaws.com/${names.baseRepository(config)}`;
  return config.services.some(
    (s) =>
      s.image.kind === 'build' &&
      [s.image.args.BUILD_IMAGE, s.image.args.BASE_IMAGE].some(
        (base) => base !== undefined && (base.startsWith(`${mirror}@`) || base.startsWith(`${mirror}:`)),
      ),
  );
}
