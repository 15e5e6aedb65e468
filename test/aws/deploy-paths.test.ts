import { CloudFormationClient, CreateStackCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, deploy, type AwsEvent, type TemplateTransform } from '../../src/aws/index.ts';
import { cruddur, REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { motoClientConfig } from '../support/moto.ts';
import {
  motoStandIns,
  motoSteps,
  startMotoAccount,
  type MotoAccount,
  type RecordingSteps,
} from '../support/moto-aws.ts';
import { startStackStatusProxy, type StackStatusProxy } from '../support/stack-status-proxy.ts';

/**
 * Deploy paths beyond the straight line, against moto: an app stack a failed first create left in
 * ROLLBACK_COMPLETE (moto cannot make that state; a proxy reports it for a real stack in moto,
 * see stack-status-proxy.ts and docs/testing.md), and `--service` keeping the other service's image.
 */
let account: MotoAccount;
let proxy: StackStatusProxy;
let transform: TemplateTransform;
let steps: RecordingSteps;
const config = cruddur();

async function templateDigests(): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient(motoClientConfig(account.endpoint));
  try {
    const body = (await cfn.send(new GetTemplateCommand({ StackName: 'CruddurProd' }))).TemplateBody!;
    const out: Record<string, string> = {};
    for (const r of Object.values(
      (JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: any }> }).Resources,
    )) {
      if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
      const digest = /@(sha256:[a-f0-9]{64})/.exec(JSON.stringify(r.Properties.ContainerDefinitions))![1]!;
      out[String(r.Properties.Family).replace('cruddur-prod-', '')] = digest;
    }
    return out;
  } finally {
    cfn.destroy();
  }
}

beforeAll(async () => {
  account = await startMotoAccount();
  proxy = await startStackStatusProxy(account.moto.endpoint, 'CruddurProd');
  // berth (the toolkit, the SDK) talks to moto through the proxy; account.stop() restores the variable.
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  ({ transform } = await motoStandIns(account, config));
  steps = motoSteps(account);
  await bootstrap(config, { notify: () => {} });
  // What a failed first create leaves behind: a stack of that name holding nothing of the app.
  const cfn = new CloudFormationClient(motoClientConfig(account.endpoint));
  await cfn.send(
    new CreateStackCommand({
      StackName: 'CruddurProd',
      TemplateBody: JSON.stringify({
        Resources: { Leftover: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'leftover' } } },
      }),
    }),
  );
  cfn.destroy();
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await account?.stop();
});

describe('berth deploy over a stack left in ROLLBACK_COMPLETE', () => {
  it('explains it and refuses to delete it without a terminal and without --yes (exit 2), changing nothing', async () => {
    const run = await runBerth(['deploy', '--config', REFERENCE_FILE], {
      env: { ...process.env, ...account.env, AWS_ENDPOINT_URL: proxy.endpoint },
      timeoutMs: 150_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'CruddurProd is in ROLLBACK_COMPLETE: its first create failed and CloudFormation rolled it back; it holds nothing and must be deleted before it can be created again',
    );
    expect(run.stderr).toContain(
      'berth: CruddurProd is in ROLLBACK_COMPLETE from a failed first create; delete it (berth deploy --yes, or berth destroy) and deploy again\n',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Nothing deleted, nothing created: not even the registry stack, which comes after this check.
    expect(
      proxy.actions.filter((a) => ['DeleteStack', 'CreateStack', 'UpdateStack'].includes(a.action)),
    ).toEqual([]);
  }, 160_000);

  it('with a yes (--yes, or on a terminal) deletes it, then creates the app stack', async () => {
    const events: AwsEvent[] = [];
    const asked: string[] = [];
    const result = await deploy(config, {
      steps,
      notify: (e) => void events.push(e),
      confirmDelete: async (stack) => {
        asked.push(stack);
        return true;
      },
      method: 'direct',
      lint: false,
      transform,
      rollout: { intervalMs: 200, timeoutMs: 20_000 },
    });
    expect(result.failure).toBeUndefined();
    expect(asked).toEqual(['CruddurProd']);
    expect(events.find((e) => e.code === 'aws.stack.failed-create')?.data).toEqual({
      stack: 'CruddurProd',
      status: 'ROLLBACK_COMPLETE',
    });
    const writes = proxy.actions.filter((a) => ['DeleteStack', 'CreateStack'].includes(a.action));
    expect(writes).toEqual([
      { action: 'DeleteStack', stack: 'CruddurProd' },
      { action: 'CreateStack', stack: 'CruddurRegistry' },
      { action: 'CreateStack', stack: 'CruddurProd' },
    ]);
    expect(result.stacks).toEqual([
      { name: 'CruddurRegistry', change: 'created' },
      { name: 'CruddurProd', change: 'created' },
    ]);
    expect(Object.keys(await templateDigests()).sort()).toEqual(['backend', 'frontend']);
  }, 240_000);
});

describe('berth deploy --service', () => {
  it('publishes only the backend and keeps the frontend on the digest it runs', async () => {
    const before = await templateDigests();
    steps.version = 'v2';
    try {
      const result = await deploy(config, {
        steps,
        notify: () => {},
        services: ['backend'],
        method: 'direct',
        lint: false,
        transform,
        rollout: { intervalMs: 200, timeoutMs: 20_000 },
      });
      expect(result.ok).toBe(true);
      expect(result.images.map((i) => [i.service, i.pushed])).toEqual([['backend', true]]);
      expect(result.images[0]!.digest).not.toBe(before.backend);
      expect(await templateDigests()).toEqual({
        backend: result.images[0]!.digest,
        frontend: before.frontend,
      });
    } finally {
      steps.version = 'v1';
    }
  }, 240_000);
});
