import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cruddur } from '../fixtures.ts';
import { startMoto, motoClientConfig, type Moto } from '../support/moto.ts';
import { createStacksInMoto } from '../support/moto-aws.ts';

/**
 * The app stack with a blue/green backend and a canary frontend created in moto's CloudFormation,
 * then read back through the SDK: what moto records of a release's resources.
 */
const config = cruddur((c) => ({
  ...c,
  services: {
    ...c.services,
    backend: {
      ...c.services.backend!,
      release: { strategy: 'blue-green', verify: [{ path: '/api/activities/home' }] },
    },
    frontend: { ...c.services.frontend!, release: { strategy: 'canary' } },
  },
}));

let moto: Moto;
let c: ReturnType<typeof motoClientConfig>;
const elb = () => new ElasticLoadBalancingV2Client(c);

beforeAll(async () => {
  moto = await startMoto();
  c = motoClientConfig(moto.endpoint);
  await createStacksInMoto(moto, config, 'app');
}, 120_000);

afterAll(() => moto?.stop());

describe('a stage with blue/green and canary services, created in the AWS API emulator', () => {
  async function listeners() {
    const [lb] = (await elb().send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
    return (await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn })))
      .Listeners!;
  }
  const groupsOn = async (port: number) =>
    (await elb().send(new DescribeTargetGroupsCommand({}))).TargetGroups!.filter((g) => g.Port === port);

  it('has a test listener on 8443 (HTTPS, 404 for unknown hosts) next to 80 and 443', async () => {
    const all = await listeners();
    expect(all.map((l) => l.Port).sort()).toEqual([443, 80, 8443].sort());
    const test = all.find((l) => l.Port === 8443)!;
    expect(test.Protocol).toBe('HTTPS');
    expect(test.DefaultActions![0]).toMatchObject({
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404' },
    });
  });

  it('gives each service two target groups on its port, both with its health path', async () => {
    expect((await groupsOn(4567)).map((g) => g.HealthCheckPath)).toEqual([
      '/api/health-check',
      '/api/health-check',
    ]);
    expect((await groupsOn(3000)).map((g) => g.HealthCheckPath)).toEqual(['/', '/']);
  });

  it('weights each host rule 100/0 between the groups, on the production and on the test listener alike', async () => {
    const backend = (await groupsOn(4567)).map((g) => g.TargetGroupArn);
    for (const port of [443, 8443]) {
      const listener = (await listeners()).find((l) => l.Port === port)!;
      const rules = (await elb().send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn })))
        .Rules!;
      const api = rules.find((r) => JSON.stringify(r.Conditions).includes('api.cruddur.example.com'))!;
      const weights = api.Actions![0]!.ForwardConfig!.TargetGroups!;
      expect(weights.map((w) => w.Weight)).toEqual([100, 0]);
      expect(weights.map((w) => w.TargetGroupArn).sort()).toEqual([...backend].sort());
    }
  });

  it('creates the verifier Lambda with its checks and its own log group with the app retention', async () => {
    const fn = await new LambdaClient(c).send(
      new GetFunctionCommand({ FunctionName: 'cruddur-prod-release-verifier' }),
    );
    expect(fn.Configuration).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 128,
    });
    expect(
      JSON.parse(fn.Configuration!.Environment!.Variables!.BERTH_VERIFY!)['cruddur-prod-backend'].requests,
    ).toEqual([
      { method: 'GET', path: '/api/health-check', status: 200 },
      { method: 'GET', path: '/api/activities/home', status: 200 },
    ]);
    const groups = (
      await new CloudWatchLogsClient(c).send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: '/berth/cruddur/prod/release' }),
      )
    ).logGroups!;
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([
      ['/berth/cruddur/prod/release-verifier', 1],
    ]);
  });

  // moto 5.2.1's CloudFormation records neither the alarms (DescribeAlarms answers none) nor the
  // services' deployment configuration or load balancers: those are asserted on the template
  // (releases.test.ts) and docs/testing.md says so. This pins the gap, so a moto that closes it shows.
  it('is where moto stops: no alarms, no deployment configuration recorded', async () => {
    expect((await new CloudWatchClient(c).send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    const [svc] = (
      await new ECSClient(c).send(
        new DescribeServicesCommand({ cluster: 'cruddur-prod', services: ['cruddur-prod-backend'] }),
      )
    ).services!;
    expect(svc!.deploymentConfiguration).toBeUndefined();
  });
});
