import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type AwsEvent } from '../../src/aws/index.ts';
import { renderCiBootstrap } from '../../src/cli/ci-render.ts';
import { ciBootstrap, synthCiAccess, type CiBootstrapResult } from '../../src/ci/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { motoClientConfig } from '../support/moto.ts';
import { startMotoAccount, type MotoAccount } from '../support/moto-aws.ts';
import { stagedConfig } from './fixtures.ts';

/**
 * `berth ci bootstrap --provider github` against moto (one moto_server for the file), and the
 * stack it deploys as synthesized (one synth). moto's CloudFormation skips AWS::IAM::OIDCProvider
 * (docs/testing.md), so in moto the account already has GitHub's provider, made with the IAM API
 * as another tool would have made it, and the stack must reuse it; the create path is asserted on
 * the template.
 */
const config = stagedConfig(path.join(import.meta.dirname, 'berth.config.ts'));
const REPO = 'octo-org/cruddur';
const ACCOUNT = '123456789012';
let account: MotoAccount;
let iam: IAMClient;
let providerArn: string;

const TRUST = (sub: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': sub,
        },
      },
    },
  ],
});

/** A role as IAM returns it: the trust policy (URL-encoded by IAM, decoded here) and its one policy's statements. */
async function readRole(name: string) {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  expect(attached.AttachedPolicies).toHaveLength(1);
  const policyArn = attached.AttachedPolicies![0]!.PolicyArn!;
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
  const version = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: Policy!.DefaultVersionId! }),
  );
  const document = JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)) as {
    Statement: { Sid: string; Action: string | string[]; Resource: string | string[] }[];
  };
  return {
    id: Role!.RoleId!,
    maxSessionDuration: Role!.MaxSessionDuration,
    trust: JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)) as unknown,
    statements: Object.fromEntries(
      document.Statement.map((s) => [s.Sid, { actions: s.Action, resources: s.Resource }]),
    ),
  };
}

beforeAll(async () => {
  account = await startMotoAccount();
  iam = new IAMClient(motoClientConfig(account.endpoint));
  await bootstrap(config, { notify: () => {} });
  const created = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    }),
  );
  providerArn = created.OpenIDConnectProviderArn!;
}, 120_000);

afterAll(async () => {
  iam?.destroy();
  await account?.stop();
});

describe('the CI access stack, as synthesized for an account without the provider', () => {
  const stages = ['staging', 'prod'].map((name) => ({
    name,
    region: 'us-east-1',
    roleName: `berth-cruddur-deploy-${name}`,
    appStack: name === 'prod' ? 'CruddurProd' : 'CruddurStaging',
    cluster: `cruddur-${name}`,
    alarmPrefix: `cruddur-${name}-`,
    verifierLogGroup: `/berth/cruddur/${name}/release-verifier`,
  }));
  const assembly = synthCiAccess(
    'CruddurCiAccess',
    {
      app: 'cruddur',
      repo: REPO,
      registryStack: 'CruddurRegistry',
      baseRepository: 'cruddur/base',
      stages,
      diff: { roleName: 'berth-cruddur-diff', stage: stages[0]! },
      account: ACCOUNT,
      region: 'us-east-1',
    },
    ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  );
  const template = Template.fromJSON(assembly.template);

  it("creates GitHub's provider natively (AWS::IAM::OIDCProvider), kept when the stack is deleted", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResource('AWS::IAM::OIDCProvider', {
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
    });
    // No custom resource (CDK's OpenIdConnectProvider would bring a Lambda function).
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  it('gives each stage a role that only its GitHub environment can assume, for an hour at most', () => {
    template.resourceCountIs('AWS::IAM::Role', 3);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'berth-cruddur-deploy-prod',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectEquals({
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: { Ref: Match.stringLikeRegexp('^GitHubOidc') } },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:octo-org/cruddur:environment:prod',
              },
            },
          }),
        ],
      },
    });
  });

  it('passes every cdk-nag pack, its wildcards acknowledged with reasons', () => {
    expect(assembly.findings).toEqual([]);
    const text = JSON.stringify(assembly.template);
    // No action wildcard anywhere; the only `*` resources are GetAuthorizationToken and the cluster-conditioned ListTasks.
    expect(text).not.toMatch(/"[a-z0-9-]+:\*"/);
  });
});

describe('berth ci bootstrap --provider github, in moto', () => {
  let first: CiBootstrapResult;
  const events: AwsEvent[] = [];

  it('refuses a repository that is not OWNER/NAME and a stage the config does not declare', async () => {
    await expect(
      ciBootstrap(config, { provider: 'github', repo: 'cruddur', notify: () => {} }),
    ).rejects.toThrow(new UsageError('--repo cruddur is not OWNER/NAME (e.g. --repo octo-org/cruddur)'));
    await expect(
      ciBootstrap(config, { provider: 'github', repo: REPO, stages: ['qa'], notify: () => {} }),
    ).rejects.toThrow(/--stage qa: the config declares no such stage \(it declares staging, prod\)/);
  });

  it('refuses a provider already in the account that does not accept the sts.amazonaws.com audience, creating nothing', async () => {
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['another-audience'],
        ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      }),
    );
    try {
      await expect(
        ciBootstrap(config, { provider: 'github', repo: REPO, notify: () => {}, method: 'direct' }),
      ).rejects.toThrow(
        new UsageError(
          `${providerArn} does not accept the audience sts.amazonaws.com (it accepts another-audience); add it (aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${providerArn} --client-id sts.amazonaws.com) and run berth ci bootstrap again`,
        ),
      );
      await expect(iam.send(new GetRoleCommand({ RoleName: 'berth-cruddur-deploy-prod' }))).rejects.toThrow(
        /cannot be found|not found/i,
      );
    } finally {
      await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
        }),
      );
    }
  });

  it('reuses the provider already in the account and creates a deploy role per stage and the diff role', async () => {
    first = await ciBootstrap(config, {
      provider: 'github',
      repo: REPO,
      notify: (e) => events.push(e),
      method: 'direct',
    });
    expect(first.stack).toEqual({ name: 'CruddurCiAccess', change: 'created' });
    expect(first.provider).toEqual({ arn: providerArn, source: 'existing' });
    expect(events.find((e) => e.code === 'aws.ci.provider')?.message).toBe(
      `token.actions.githubusercontent.com: reusing ${providerArn}`,
    );
    expect(first.roles).toEqual([
      {
        name: 'berth-cruddur-diff',
        arn: `arn:aws:iam::${ACCOUNT}:role/berth-cruddur-diff`,
        subject: 'repo:octo-org/cruddur:pull_request',
      },
      {
        name: 'berth-cruddur-deploy-staging',
        arn: `arn:aws:iam::${ACCOUNT}:role/berth-cruddur-deploy-staging`,
        stage: 'staging',
        subject: 'repo:octo-org/cruddur:environment:staging',
      },
      {
        name: 'berth-cruddur-deploy-prod',
        arn: `arn:aws:iam::${ACCOUNT}:role/berth-cruddur-deploy-prod`,
        stage: 'prod',
        subject: 'repo:octo-org/cruddur:environment:prod',
      },
    ]);
  }, 120_000);

  it('reads back trust policies with exactly the repository, the environment and the audience', async () => {
    for (const role of first.roles) {
      const read = await readRole(role.name);
      expect(read.trust).toEqual(TRUST(role.subject));
      expect(read.maxSessionDuration).toBe(3600);
    }
  });

  it('reads back the trust policy docs/stages-and-ci.md shows', async () => {
    const docs = readFileSync(path.resolve(import.meta.dirname, '../../docs/stages-and-ci.md'), 'utf8');
    const shown = /The prod role's trust policy[\s\S]*?```json\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(JSON.parse(shown!)).toEqual((await readRole('berth-cruddur-deploy-prod')).trust);
  });

  it('lets a deploy role assume only CDK bootstrap roles and push to the app repositories; the diff role only read', async () => {
    const prod = await readRole('berth-cruddur-deploy-prod');
    expect(prod.statements.AssumeCdkBootstrapRoles).toEqual({
      actions: 'sts:AssumeRole',
      resources: ['deploy', 'file-publishing', 'lookup'].map(
        (k) => `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${k}-role-${ACCOUNT}-us-east-1`,
      ),
    });
    expect(prod.statements.PushAndReadAppImages?.resources).toBe(
      `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/cruddur/*`,
    );
    // What Ctrl-C does locally, a cancelled job does in CI: on this stage's stack, not another's.
    expect(prod.statements.CancelOwnStageUpdate).toEqual({
      actions: 'cloudformation:CancelUpdateStack',
      resources: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/CruddurProd/*`,
    });
    const diff = await readRole('berth-cruddur-diff');
    expect(Object.keys(diff.statements)).toEqual([
      'AssumeCdkLookupRole',
      'ReadDeployedStacks',
      'ReadAppImages',
      'EcrLogin',
      'PullMirroredBases',
    ]);
    const actions = Object.values(diff.statements).flatMap((s) => s.actions);
    expect(actions.sort()).toEqual([
      'cloudformation:DescribeStacks',
      'cloudformation:GetTemplate',
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:DescribeImages',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'sts:AssumeRole',
    ]);
    // The pull request's build may pull berth mirror's bases, and no other image.
    expect(diff.statements.PullMirroredBases?.resources).toBe(
      `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/cruddur/base`,
    );
  });

  it('creates nothing new when run again: the stack unchanged, one provider, the same roles', async () => {
    const before = await Promise.all(first.roles.map((r) => readRole(r.name)));
    const again = await ciBootstrap(config, {
      provider: 'github',
      repo: REPO,
      notify: () => {},
      method: 'direct',
    });
    expect(again.stack.change).toBe('unchanged');
    expect(renderCiBootstrap(again).split('\n')).toEqual([
      `CruddurCiAccess in account ${ACCOUNT} (us-east-1): unchanged, nothing created`,
      `  OIDC provider: ${providerArn} (already in the account, reused)`,
      `  arn:aws:iam::${ACCOUNT}:role/berth-cruddur-diff  accepts only sub = repo:octo-org/cruddur:pull_request`,
      `  arn:aws:iam::${ACCOUNT}:role/berth-cruddur-deploy-staging  accepts only sub = repo:octo-org/cruddur:environment:staging`,
      `  arn:aws:iam::${ACCOUNT}:role/berth-cruddur-deploy-prod  accepts only sub = repo:octo-org/cruddur:environment:prod`,
    ]);
    expect(again.provider).toEqual(first.provider);
    const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(providers.OpenIDConnectProviderList?.map((p) => p.Arn)).toEqual([providerArn]);
    const after = await Promise.all(first.roles.map((r) => readRole(r.name)));
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
  }, 120_000);
});
