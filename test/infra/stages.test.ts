import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadEveryStage,
  parseConfig,
  type BerthConfig,
  type ResolvedConfig,
} from '../../src/config/index.ts';
import { synthesize, type Synthesized } from '../fixtures.ts';
import staged from '../config/fixtures/stages.config.ts';

const FILE = path.resolve(import.meta.dirname, '../config/fixtures/stages.config.ts');

type Template = Record<string, any>;

/**
 * Property keys at the top of a resource's Properties that end in "Name" but do not name the
 * resource in the account: an inline policy is named within its role, a scaling policy within its
 * target, a certificate's domain and an alarm's metric are not the resource's name, an endpoint's
 * ServiceName is the AWS service it reaches.
 */
const NOT_PHYSICAL = new Set([
  'AWS::IAM::Policy PolicyName',
  'AWS::ApplicationAutoScaling::ScalingPolicy PolicyName',
  'AWS::CertificateManager::Certificate DomainName',
  'AWS::CloudWatch::Alarm MetricName',
  'AWS::EC2::VPCEndpoint ServiceName',
]);

/**
 * A name CloudFormation is told to give, as it would read in the account: a string, or a join of
 * strings and pseudo parameters. A name made from another resource's Ref or attribute is not fixed
 * by the template (CloudFormation generates the other resource's), so it cannot clash.
 */
function explicit(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) {
    const ref = (value as { Ref: string }).Ref;
    return ref.startsWith('AWS::') ? `\${${ref}}` : undefined;
  }
  if (value && typeof value === 'object' && 'Fn::Join' in value) {
    const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const strings = parts.map(explicit);
    return strings.every((s) => s !== undefined) ? strings.join(sep) : undefined;
  }
  return undefined;
}

/**
 * Every explicit physical name in a template, as `Type Key=name`: the top-level properties that end
 * in "Name" (LogGroupName, ClusterName, ServiceName, RoleName, BucketName, RepositoryName,
 * AlarmName, a WAF's, a parameter's or a namespace's Name...) and a task definition's Family. A DNS
 * record is named within its hosted zone and by type.
 */
function physicalNames(template: Template): string[] {
  const out: string[] = [];
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    for (const [key, value] of Object.entries<unknown>(resource.Properties ?? {})) {
      if (!(key.endsWith('Name') || key === 'Family')) continue;
      if (NOT_PHYSICAL.has(`${resource.Type} ${key}`)) continue;
      const name = explicit(value);
      if (name === undefined) continue;
      const scope =
        resource.Type === 'AWS::Route53::RecordSet'
          ? ` ${JSON.stringify(resource.Properties.HostedZoneId)} ${resource.Properties.Type}`
          : '';
      out.push(`${resource.Type}${scope} ${key}=${name}`);
    }
  }
  return out;
}

/** Names both templates give. */
function clashes(a: Template, b: Template): string[] {
  const theirs = new Set(physicalNames(b));
  return physicalNames(a).filter((n) => theirs.has(n));
}

describe('two stages of one config in one account', () => {
  let dev: ResolvedConfig;
  let prod: ResolvedConfig;
  let devStacks: Synthesized;
  let prodStacks: Synthesized;

  beforeAll(async () => {
    // One load of the fixture; one synth per stage for the whole file.
    [dev, prod] = (await loadEveryStage(FILE)).configs as [ResolvedConfig, ResolvedConfig];
    devStacks = synthesize(dev);
    prodStacks = synthesize(prod);
  }, 120_000);

  it('deploys both into the same account and region, as stacks of their own', () => {
    expect(dev.env).toEqual(prod.env);
    expect(devStacks.result.appStack.stackName).toBe('CruddurDev');
    expect(prodStacks.result.appStack.stackName).toBe('CruddurProd');
  });

  it('gives no physical name twice across the two app stacks', () => {
    const names = physicalNames(devStacks.appJson);
    // The collector finds the names a clash would be about, so an empty result means something.
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS::ECS::Cluster ClusterName=cruddur-dev',
        'AWS::ECS::Service ServiceName=cruddur-dev-backend',
        'AWS::ECS::TaskDefinition Family=cruddur-dev-frontend',
        'AWS::Logs::LogGroup LogGroupName=/berth/cruddur/dev/backend',
        'AWS::Logs::LogGroup LogGroupName=/aws/ecs/containerinsights/cruddur-dev/performance',
        'AWS::ServiceDiscovery::HttpNamespace Name=cruddur-dev',
      ]),
    );
    expect(names.some((n) => n.startsWith('AWS::Route53::RecordSet'))).toBe(true);
    expect(clashes(devStacks.appJson, devStacks.appJson).length).toBe(names.length);
    expect(clashes(devStacks.appJson, prodStacks.appJson)).toEqual([]);
  });

  it('shares the registry stack and its repositories on purpose: a digest tested in dev is the one prod runs', () => {
    const registry = (s: Synthesized) => s.result.registryStack;
    expect(registry(devStacks).stackName).toBe('CruddurRegistry');
    expect(registry(prodStacks).stackName).toBe('CruddurRegistry');
    expect(devStacks.registry.toJSON()).toEqual(prodStacks.registry.toJSON());
  });

  it("builds each stage from its own values: dev's domain, Spot, environment and secret; prod's egress, retention, WAF and size", () => {
    devStacks.app.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.dev.cruddur.example.com.' });
    devStacks.app.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'cruddur-dev-backend',
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 100 }],
    });
    devStacks.app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'cruddur-dev-backend',
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'FRONTEND_URL', Value: 'https://dev.cruddur.example.com' }]),
          Secrets: [
            {
              Name: 'SESSION_KEY',
              ValueFrom: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([':ssm:us-east-1:123456789012:parameter/cruddur/dev/backend/SESSION_KEY']),
                ],
              },
            },
          ],
        }),
      ],
    });
    devStacks.app.resourceCountIs('AWS::EC2::NatGateway', 0);
    devStacks.app.resourceCountIs('AWS::WAFv2::WebACL', 0);

    prodStacks.app.resourceCountIs('AWS::EC2::NatGateway', 1);
    prodStacks.app.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/berth/cruddur/prod/backend',
      RetentionInDays: 365,
    });
    prodStacks.app.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 1000 }) } }),
      ]),
    });
    prodStacks.app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'cruddur-prod-backend',
      Cpu: '512',
      Memory: '1024',
    });
    // The backend's scaling: min from the stage, max from the stage (the frontend keeps 1..4).
    const targets = Object.values(
      prodStacks.app.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
    );
    expect(targets.map((t) => [t.Properties.MinCapacity, t.Properties.MaxCapacity]).sort()).toEqual([
      [1, 4],
      [2, 8],
    ]);
  });
});

describe('two stages in one account with every optional resource on in both', () => {
  // WAF and its log group, ECS Exec, GuardDuty and endpoints in both stages: each named resource
  // they add is in both templates, so a name that forgot the stage would show here.
  const raw = (): BerthConfig => {
    const config = structuredClone(staged);
    Object.assign(config, { waf: true, exec: true, guardDuty: true, network: { egress: 'endpoints' } });
    delete config.stages!.prod!.network;
    delete config.stages!.prod!.waf;
    return config;
  };
  let dev: Synthesized;
  let prod: Synthesized;

  beforeAll(() => {
    dev = synthesize(parseConfig(raw(), FILE, { stage: 'dev' }));
    prod = synthesize(parseConfig(raw(), FILE, { stage: 'prod' }));
  }, 120_000);

  it('gives no physical name twice', () => {
    const names = physicalNames(dev.appJson);
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS::Logs::LogGroup LogGroupName=aws-waf-logs-cruddur-dev',
        'AWS::ECS::Cluster ClusterName=cruddur-dev',
      ]),
    );
    expect(physicalNames(prod.appJson)).toContain(
      'AWS::Logs::LogGroup LogGroupName=aws-waf-logs-cruddur-prod',
    );
    expect(clashes(dev.appJson, prod.appJson)).toEqual([]);
  });
});
