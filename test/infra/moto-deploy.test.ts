import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cruddur } from '../fixtures.ts';
import { startMoto, motoClientConfig, type Moto } from '../support/moto.ts';
import { createStacksInMoto } from '../support/moto-aws.ts';

/**
 * The reference templates created in moto's CloudFormation (the AWS API emulator), then read
 * back through the AWS SDK: what a real deploy would leave behind, short of running tasks.
 */
let moto: Moto;
let clients: ReturnType<typeof makeClients>;
/** The hosted zone moto created, standing in for the config's. */
let zoneId: string;
const config = cruddur();

function makeClients(endpoint: string) {
  const c = motoClientConfig(endpoint);
  return {
    cfn: new CloudFormationClient(c),
    elb: new ElasticLoadBalancingV2Client(c),
    r53: new Route53Client(c),
    ecr: new ECRClient(c),
    logs: new CloudWatchLogsClient(c),
    acm: new ACMClient(c),
  };
}

beforeAll(async () => {
  moto = await startMoto();
  clients = makeClients(moto.endpoint);
  zoneId = (await createStacksInMoto(moto, config)).stand.hostedZone.to;
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe('the reference deployment, created in the AWS API emulator', () => {
  async function listeners() {
    const [lb] = (await clients.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
    expect(lb!.Scheme).toBe('internet-facing');
    return (await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn })))
      .Listeners!;
  }
  async function targetGroups() {
    return (await clients.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!;
  }

  it('redirects port 80 to HTTPS with a 301', async () => {
    const http = (await listeners()).find((l) => l.Port === 80)!;
    expect(http.Protocol).toBe('HTTP');
    expect(http.DefaultActions![0]).toMatchObject({
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
    });
  });

  it('serves HTTPS on 443 with a fixed 404 by default, the apex host to the frontend', async () => {
    const https = (await listeners()).find((l) => l.Port === 443)!;
    expect(https.Protocol).toBe('HTTPS');
    expect(https.DefaultActions![0]).toMatchObject({
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: '404 Not Found\n' },
    });
    const frontend = (await targetGroups()).find((tg) => tg.Port === 3000)!;
    const rules = (await clients.elb.send(new DescribeRulesCommand({ ListenerArn: https.ListenerArn })))
      .Rules!;
    const apexRule = rules.find((r) => JSON.stringify(r.Conditions).includes('"cruddur.example.com"'))!;
    expect(apexRule.Actions![0]).toMatchObject({ Type: 'forward', TargetGroupArn: frontend.TargetGroupArn });
  });

  it('routes the api. host to the backend target group', async () => {
    const https = (await listeners()).find((l) => l.Port === 443)!;
    const rules = (await clients.elb.send(new DescribeRulesCommand({ ListenerArn: https.ListenerArn })))
      .Rules!;
    const backend = (await targetGroups()).find((tg) => tg.Port === 4567)!;
    const apiRule = rules.find((r) => JSON.stringify(r.Conditions).includes('api.cruddur.example.com'))!;
    expect(apiRule.Conditions![0]).toMatchObject({ Field: 'host-header' });
    expect(apiRule.Actions![0]).toMatchObject({ Type: 'forward', TargetGroupArn: backend.TargetGroupArn });
  });

  it('has IP target groups on each service port with its health path', async () => {
    const groups = (await targetGroups()).map((tg) => [tg.Port, tg.TargetType, tg.HealthCheckPath]).sort();
    expect(groups).toEqual([
      [3000, 'ip', '/'],
      [4567, 'ip', '/api/health-check'],
    ]);
  });

  it('aliases the apex and api. to the load balancer', async () => {
    const records = (
      await clients.r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    ).ResourceRecordSets!.filter((r) => r.Type === 'A');
    expect(records.map((r) => r.Name).sort()).toEqual(['api.cruddur.example.com.', 'cruddur.example.com.']);
    const [lb] = (await clients.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
    for (const r of records)
      expect(r.AliasTarget?.DNSName?.toLowerCase()).toContain(lb!.DNSName!.toLowerCase());
  });

  // moto 5.2 keeps ImageTagMutability from CloudFormation but drops ImageScanningConfiguration
  // and EncryptionConfiguration (it stores the CloudFormation casing and answers {}), so scan on
  // push and KMS encryption are proved on the template in reference-stack.test.ts instead.
  it('creates the ECR repositories with immutable tags', async () => {
    const repos = (await clients.ecr.send(new DescribeRepositoriesCommand({}))).repositories!;
    expect(repos.map((r) => r.repositoryName).sort()).toEqual([
      'cruddur/backend',
      'cruddur/base',
      'cruddur/frontend',
    ]);
    for (const repo of repos) expect(repo.imageTagMutability).toBe('IMMUTABLE');
  });

  it('keeps service logs for the configured single day', async () => {
    const groups = (
      await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/berth/cruddur/' }))
    ).logGroups!;
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual([
      ['/berth/cruddur/prod/backend', 1],
      ['/berth/cruddur/prod/frontend', 1],
    ]);
  });

  it('creates the Container Insights log group itself, with the app retention', async () => {
    const groups = (
      await clients.logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/ecs/containerinsights/cruddur-prod/' }),
      )
    ).logGroups!;
    // moto does not report kmsKeyId back; the key is asserted on the template (security-review.test.ts).
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([
      ['/aws/ecs/containerinsights/cruddur-prod/performance', 1],
    ]);
  });
});
