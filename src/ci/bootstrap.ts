import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  GetOpenIDConnectProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { clientConfig } from '../aws/clients.ts';
import { deployStack, type StackChange } from '../aws/deploy/deploy.ts';
import type { AwsNotify } from '../aws/events.ts';
import { assertAccount } from '../aws/identity.ts';
import { makeToolkit } from '../aws/toolkit.ts';
import type { ResolvedConfig, StageSummary } from '../config/index.ts';
import { names, pascal } from '../infra/naming.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, type AccessStage } from './access-stack.ts';
import { synthCiAccess } from './access-synth.ts';
import { deployRoleName, diffRoleName } from './plan.ts';

export interface CiBootstrapOptions {
  readonly provider: 'github';
  /** `OWNER/NAME` of the GitHub repository whose workflows deploy. */
  readonly repo: string;
  /** The stages to give a deploy role. @default every stage the config declares */
  readonly stages?: readonly string[];
  readonly notify: AwsNotify;
  /** As for `berth deploy`: `direct` for emulators. @default 'change-set' */
  readonly method?: 'change-set' | 'direct';
}

export interface CiRoleResult {
  readonly name: string;
  readonly arn: string;
  /** The stage it deploys; absent for the pull-request role. */
  readonly stage?: string;
  /** The `token.actions.githubusercontent.com:sub` it accepts, and nothing else. */
  readonly subject: string;
}

export interface CiBootstrapResult {
  readonly account: string;
  readonly region: string;
  readonly stack: { readonly name: string; readonly change: StackChange };
  /** The account's GitHub OIDC provider: made by this stack, or one that was there already. */
  readonly provider: { readonly arn: string; readonly source: 'this-stack' | 'existing' };
  readonly roles: readonly CiRoleResult[];
}

const REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

/**
 * `berth ci bootstrap --provider github`: in the account of the chosen stages, the stack that lets
 * the repository's workflows deploy with no stored keys (src/ci/access-stack.ts), deployed through
 * the toolkit as `berth deploy` deploys the app. It needs `berth bootstrap` first (CDK's roles).
 * Running it again changes nothing and says so.
 */
export async function ciBootstrap(
  config: ResolvedConfig,
  options: CiBootstrapOptions,
): Promise<CiBootstrapResult> {
  const { notify } = options;
  if (!REPO.test(options.repo))
    throw new UsageError(`--repo ${options.repo} is not OWNER/NAME (e.g. --repo octo-org/cruddur)`);
  const stages = chosenStages(config, options.stages);
  const first = stages[0]!;
  const here = { ...config, env: { account: first.account, region: first.region } };
  await assertAccount(here, notify);
  const stackName = `${pascal(config.app)}CiAccess`;
  const access = (stage: StageSummary): AccessStage => ({
    name: stage.name,
    region: stage.region,
    roleName: deployRoleName(config.app, stage.name),
    appStack: names.appStack({ ...config, stage: stage.name }),
    cluster: names.cluster({ ...config, stage: stage.name }),
    alarmPrefix: names.releaseAlarmPrefix({ ...config, stage: stage.name }),
    verifierLogGroup: names.releaseVerifierLogGroup({ ...config, stage: stage.name }),
  });
  // The pull request diffs the first non-production stage: its read-only role lives with it.
  const diffStage = [...config.stages.filter((s) => !s.production), ...config.stages][0]!;
  const diff = stages.some((s) => s.name === diffStage.name)
    ? { roleName: diffRoleName(config.app), stage: access(diffStage) }
    : undefined;

  const existing = await providerInAccount(here, stackName);
  if (existing.arn && !existing.ownedByStack) await requireAudience(here, existing.arn);
  notify({
    level: 'info',
    code: 'aws.ci.provider',
    message: existing.arn
      ? `${GITHUB_OIDC_HOST}: ${existing.ownedByStack ? `kept in ${stackName}` : `reusing ${existing.arn}`}`
      : `${GITHUB_OIDC_HOST}: none in account ${first.account}; ${stackName} creates it`,
    data: { ...existing },
  });
  const assembly = synthCiAccess(
    stackName,
    {
      app: config.app,
      repo: options.repo,
      ...(existing.arn && !existing.ownedByStack ? { existingProviderArn: existing.arn } : {}),
      registryStack: names.registryStack(config),
      baseRepository: names.baseRepository(config),
      stages: stages.map(access),
      ...(diff ? { diff } : {}),
      account: first.account,
      region: first.region,
    },
    config.compliance.packs,
  );
  if (assembly.findings.length > 0)
    throw new BerthError(
      `${stackName} has ${assembly.findings.length} unacknowledged compliance finding(s) (${assembly.findings.map((f) => f.rule).join(', ')}); this is a berth bug, please report it`,
    );

  const { toolkit, host } = makeToolkit(notify);
  const outcome = await deployStack(
    toolkit,
    host,
    assembly.outdir,
    stackName,
    options.method === 'direct' ? { method: 'direct' } : { method: 'change-set' },
  );
  if (!outcome.ok) throw new BerthError(outcome.message);
  // Known without asking IAM again: the one there before, or the one the stack just made (IAM
  // names a provider by its issuer's host, one per account).
  const provider = {
    arn: existing.arn ?? `arn:aws:iam::${first.account}:oidc-provider/${GITHUB_OIDC_HOST}`,
  };
  const arn = (name: string) => `arn:aws:iam::${first.account}:role/${name}`;
  const repo = options.repo;
  return {
    account: first.account,
    region: first.region,
    stack: { name: stackName, change: outcome.change },
    provider: {
      arn: provider.arn,
      source: existing.arn && !existing.ownedByStack ? 'existing' : 'this-stack',
    },
    roles: [
      ...(diff
        ? [{ name: diff.roleName, arn: arn(diff.roleName), subject: `repo:${repo}:pull_request` }]
        : []),
      ...stages.map((s) => ({
        name: deployRoleName(config.app, s.name),
        arn: arn(deployRoleName(config.app, s.name)),
        stage: s.name,
        subject: `repo:${repo}:environment:${s.name}`,
      })),
    ],
  };
}

/** The stages named (every stage when none is), all in one account: one run, one account's credentials. */
function chosenStages(config: ResolvedConfig, named: readonly string[] | undefined): StageSummary[] {
  for (const name of named ?? [])
    if (!config.stages.some((s) => s.name === name))
      throw new UsageError(
        `--stage ${name}: the config declares no such stage (it declares ${config.stages.map((s) => s.name).join(', ')})`,
      );
  const stages = config.stages.filter((s) => !named || named.includes(s.name));
  const accounts = [...new Set(stages.map((s) => s.account))];
  if (accounts.length > 1)
    throw new UsageError(
      `the stages are in ${accounts.length} accounts (${stages.map((s) => `${s.name}: ${s.account}`).join(', ')}); run berth ci bootstrap once per account, with that account's credentials and --stage for its stages`,
    );
  return stages;
}

/**
 * The account's GitHub provider, looked up with IAM (there is one per issuer URL in an account),
 * and whether this stack made it: a provider the stack owns stays in it, or the next deploy would
 * delete it; one made elsewhere is imported by ARN.
 */
async function providerInAccount(
  config: Pick<ResolvedConfig, 'env'>,
  stackName: string,
): Promise<{ arn?: string; ownedByStack: boolean }> {
  const iam = new IAMClient(clientConfig(config));
  const cfn = new CloudFormationClient(clientConfig(config));
  try {
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    const arn = list.OpenIDConnectProviderList?.map((p) => p.Arn ?? '').find((a) =>
      a.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`),
    );
    const body = await cfn
      .send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))
      .then((r) => r.TemplateBody)
      .catch((err: Error) => {
        if (err.name === 'ValidationError') return undefined;
        throw err;
      });
    const resources = body
      ? ((JSON.parse(body) as { Resources?: Record<string, { Type?: string }> }).Resources ?? {})
      : {};
    const ownedByStack = Object.values(resources).some((r) => r.Type === 'AWS::IAM::OIDCProvider');
    return { ...(arn ? { arn } : {}), ownedByStack };
  } finally {
    iam.destroy();
    cfn.destroy();
  }
}

/**
 * A provider made elsewhere must accept the audience configure-aws-credentials asks for, or every
 * role's `aud` condition fails at the first run of the workflow: said now, with the fix.
 */
async function requireAudience(config: Pick<ResolvedConfig, 'env'>, arn: string): Promise<void> {
  const iam = new IAMClient(clientConfig(config));
  try {
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    if (provider.ClientIDList?.includes(GITHUB_OIDC_AUDIENCE)) return;
    throw new UsageError(
      `${arn} does not accept the audience ${GITHUB_OIDC_AUDIENCE} (it accepts ${provider.ClientIDList?.join(', ') || 'none'}); add it (aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id ${GITHUB_OIDC_AUDIENCE}) and run berth ci bootstrap again`,
    );
  } finally {
    iam.destroy();
  }
}
