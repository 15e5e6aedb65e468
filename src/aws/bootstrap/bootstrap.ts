import { BootstrapEnvironments, BootstrapStackParameters, BootstrapTemplate } from '@aws-cdk/toolkit-lib';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ResolvedConfig } from '../../config/index.ts';
import { clientConfig } from '../clients.ts';
import type { AwsNotify } from '../events.ts';
import { assertAccount } from '../identity.ts';
import { makeToolkit } from '../toolkit.ts';
import { EXECUTION_POLICY_NAME, executionPolicyDocument } from './execution-policy.ts';

export type Change = 'created' | 'updated' | 'unchanged';

export interface BootstrapResult {
  readonly account: string;
  readonly region: string;
  /** The toolkit stack: assets bucket, publishing and deploy roles, CloudFormation's execution role. */
  readonly toolkitStack: { readonly name: string; readonly change: Change };
  /** The customer managed policy CloudFormation's execution role gets instead of AdministratorAccess. */
  readonly executionPolicy: { readonly arn: string; readonly change: Change };
  readonly changed: boolean;
}

export interface BootstrapOptions {
  readonly notify: AwsNotify;
}

const TOOLKIT_STACK = 'CDKToolkit';

/**
 * Prepares the config's account and region for deploys, once: CDK's bootstrap stack through the
 * toolkit, with its assets bucket encrypted (SSE-KMS, the account's aws/s3 key), public access
 * blocked and a TLS-only bucket policy (all three are in CDK's template; berth passes the first
 * two explicitly so a custom default cannot turn them off), and CloudFormation's execution role
 * limited to berth-cfn-execution. Running it again changes nothing and says so.
 */
export async function bootstrap(config: ResolvedConfig, options: BootstrapOptions): Promise<BootstrapResult> {
  const { notify } = options;
  await assertAccount(config, notify);
  const { account, region } = config.env;
  const policy = await ensureExecutionPolicy(config, notify);
  if (await alreadyBootstrapped(config, policy.arn)) {
    notify({
      level: 'info',
      code: 'aws.bootstrap.done',
      message: `${TOOLKIT_STACK}: unchanged (bootstrap version ${await templateVersion()}, berth's execution policy)`,
      data: { stack: TOOLKIT_STACK, change: 'unchanged' },
    });
    return {
      account,
      region,
      toolkitStack: { name: TOOLKIT_STACK, change: 'unchanged' },
      executionPolicy: { arn: policy.arn, change: policy.change },
      changed: policy.change !== 'unchanged',
    };
  }
  const { toolkit, host } = makeToolkit(notify);
  const result = await toolkit.bootstrap(BootstrapEnvironments.fromList([`aws://${account}/${region}`]), {
    parameters: BootstrapStackParameters.withExisting({
      cloudFormationExecutionPolicies: [policy.arn],
      publicAccessBlockConfiguration: true,
      createCustomerMasterKey: false,
    }),
  });
  const env = result.environments[0];
  const update = host.started.find((s) => s.stack === TOOLKIT_STACK)?.update ?? false;
  const stackChange: Change = env?.status === 'no-op' ? 'unchanged' : update ? 'updated' : 'created';
  notify({
    level: 'info',
    code: 'aws.bootstrap.done',
    message: `${TOOLKIT_STACK}: ${stackChange}`,
    data: { stack: TOOLKIT_STACK, change: stackChange },
  });
  return {
    account,
    region,
    toolkitStack: { name: TOOLKIT_STACK, change: stackChange },
    executionPolicy: { arn: policy.arn, change: policy.change },
    changed: stackChange !== 'unchanged' || policy.change !== 'unchanged',
  };
}

/** What berth passes to CDK's bootstrap template, checked on an existing toolkit stack. */
const HARDENED = { PublicAccessBlockConfiguration: 'true', FileAssetsBucketKmsKeyId: 'AWS_MANAGED_KEY' };

/**
 * True when the toolkit stack is complete, at this toolkit's template version, with berth's
 * hardening parameters and execution policy: bootstrapping again would change nothing, and berth
 * says so without asking CloudFormation for a change set.
 */
async function alreadyBootstrapped(config: ResolvedConfig, policyArn: string): Promise<boolean> {
  const cfn = new CloudFormationClient(clientConfig(config));
  try {
    const stack = await cfn
      .send(new DescribeStacksCommand({ StackName: TOOLKIT_STACK }))
      .then((r) => r.Stacks?.[0])
      .catch((err: Error) => {
        if (err.name === 'ValidationError') return undefined;
        throw err;
      });
    if (
      !stack ||
      !/_COMPLETE$/.test(stack.StackStatus ?? '') ||
      /ROLLBACK|DELETE/.test(stack.StackStatus ?? '')
    ) {
      return false;
    }
    const version =
      stack.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue ??
      (await versionParameter(config));
    const params = Object.fromEntries(
      (stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue ?? '']),
    );
    return (
      version === (await templateVersion()) &&
      Object.entries(HARDENED).every(([k, v]) => params[k] === v) &&
      listParameter(params.CloudFormationExecutionPolicies ?? '').join(',') === policyArn
    );
  } finally {
    cfn.destroy();
  }
}

/**
 * A CommaDelimitedList parameter as CloudFormation answers it (`a,b`); moto answers a Python list
 * (`['a', 'b']`), read the same way (docs/testing.md).
 */
function listParameter(value: string): string[] {
  return value
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((v) => v.trim().replace(/^'|'$/g, ''))
    .filter(Boolean);
}

/** The version CDK's bootstrap also writes to SSM, where deploys check it; moto answers no stack outputs. */
async function versionParameter(config: ResolvedConfig): Promise<string | undefined> {
  const ssm = new SSMClient(clientConfig(config));
  try {
    return await ssm
      .send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }))
      .then((r) => r.Parameter?.Value)
      .catch(() => undefined);
  } finally {
    ssm.destroy();
  }
}

/** The bootstrap template version this toolkit deploys. */
async function templateVersion(): Promise<string> {
  const template = JSON.parse((await BootstrapTemplate.fromSource()).asJSON()) as {
    Resources: { CdkBootstrapVersion: { Properties: { Value: unknown } } };
  };
  return String(template.Resources.CdkBootstrapVersion.Properties.Value);
}

/** IAM keeps at most five versions of a managed policy. */
const MAX_POLICY_VERSIONS = 5;

/** Creates berth's execution policy, or gives it a new default version when berth's document changed. */
async function ensureExecutionPolicy(
  config: ResolvedConfig,
  notify: AwsNotify,
): Promise<{ arn: string; change: Change; existedBefore: boolean }> {
  const iam = new IAMClient(clientConfig(config));
  const arn = `arn:aws:iam::${config.env.account}:policy/${EXECUTION_POLICY_NAME}`;
  const document = executionPolicyDocument();
  try {
    const current = await iam.send(new GetPolicyCommand({ PolicyArn: arn })).catch((err: Error) => {
      if (err.name === 'NoSuchEntityException' || err.name === 'NoSuchEntity') return undefined;
      throw err;
    });
    if (!current?.Policy) {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: EXECUTION_POLICY_NAME,
          PolicyDocument: JSON.stringify(document),
          Description:
            'berth: what CloudFormation may do when it deploys a berth app (instead of AdministratorAccess)',
        }),
      );
      notify({
        level: 'info',
        code: 'aws.bootstrap.policy',
        message: `${EXECUTION_POLICY_NAME}: created`,
        data: { arn },
      });
      return { arn, change: 'created', existedBefore: false };
    }
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: current.Policy.DefaultVersionId }),
    );
    const stored = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? '{}'));
    if (JSON.stringify(stored) === JSON.stringify(document)) {
      return { arn, change: 'unchanged', existedBefore: true };
    }
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    if (versions.length >= MAX_POLICY_VERSIONS) {
      const oldest = versions
        .filter((v) => !v.IsDefaultVersion)
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
      if (oldest)
        await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId }));
    }
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: JSON.stringify(document),
        SetAsDefault: true,
      }),
    );
    notify({
      level: 'info',
      code: 'aws.bootstrap.policy',
      message: `${EXECUTION_POLICY_NAME}: updated`,
      data: { arn },
    });
    return { arn, change: 'updated', existedBefore: true };
  } finally {
    iam.destroy();
  }
}
