import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BerthConfig, ReleaseStrategy } from '../../src/config/index.ts';
import { configProblems, cruddur, synthesize, type Synthesized } from '../fixtures.ts';

/** The reference config with the backend released by `release`; the frontend stays rolling. */
function withBackendRelease(release: NonNullable<BerthConfig['services'][string]['release']>) {
  return cruddur((c) => ({
    ...c,
    services: { ...c.services, backend: { ...c.services.backend!, release } },
  }));
}

const STRATEGIES: Record<Exclude<ReleaseStrategy, 'rolling'>, { cfn: string; shift?: object }> = {
  'blue-green': { cfn: 'BLUE_GREEN' },
  canary: {
    cfn: 'CANARY',
    shift: { CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 } },
  },
  linear: {
    cfn: 'LINEAR',
    shift: { LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 2 } },
  },
};

// One synth per strategy, shared by every assertion on it.
const synths: Record<string, Synthesized> = {};
beforeAll(() => {
  for (const strategy of Object.keys(STRATEGIES) as (keyof typeof STRATEGIES)[])
    synths[strategy] = synthesize(
      withBackendRelease({
        strategy,
        alarms: { names: ['cruddur-checkout-errors'] },
        verify: [{ path: '/api/activities/home', bodyContains: '"uuid"' }],
      }),
    );
});

const resources = (s: Synthesized, type: string) =>
  Object.entries(s.appJson.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const serviceNamed = (s: Synthesized, name: string) =>
  resources(s, 'AWS::ECS::Service').find(([, r]) => r.Properties.ServiceName === name)![1];
const logicalIdOf = (s: Synthesized, type: string, match: (props: any) => boolean) =>
  resources(s, type).find(([, r]) => match(r.Properties))![0];

describe.each(Object.entries(STRATEGIES))('a %s release of the backend', (strategy, expected) => {
  let s: Synthesized;
  beforeAll(() => {
    s = synths[strategy]!;
  });

  it('is an ECS-native deployment with the strategy, its steps, the bake time and the circuit breaker', () => {
    const service = serviceNamed(s, 'cruddur-prod-backend');
    expect(service.Properties.DeploymentController).toEqual({ Type: 'ECS' });
    expect(service.Properties.DeploymentConfiguration).toMatchObject({
      Strategy: expected.cfn,
      BakeTimeInMinutes: 5,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      ...(expected.shift ?? {}),
    });
    if (!expected.shift) {
      expect(service.Properties.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
      expect(service.Properties.DeploymentConfiguration.LinearConfiguration).toBeUndefined();
    }
  });

  it('gives the backend a second (green) target group, and weights its production rule 100/0 between them', () => {
    const groups = resources(s, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(
      ([, r]) => r.Properties.Port === 4567,
    );
    expect(groups).toHaveLength(2);
    expect(groups.map(([, r]) => r.Properties.HealthCheckPath)).toEqual([
      '/api/health-check',
      '/api/health-check',
    ]);
    const [primary, green] = groups.map(([id]) => id);
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^EdgeAlbHttps') },
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.cruddur.example.com'] } }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: { Ref: primary }, Weight: 100 },
              { TargetGroupArn: { Ref: green }, Weight: 0 },
            ],
          },
        },
      ],
    });
    const service = serviceNamed(s, 'cruddur-prod-backend');
    expect(service.Properties.LoadBalancers).toEqual([
      {
        ContainerName: 'backend',
        ContainerPort: 4567,
        TargetGroupArn: { Ref: primary },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: green },
          ProductionListenerRule: { Ref: expect.stringMatching(/^EdgeAlbHttpsBackendRuleRule/) },
          TestListenerRule: { Ref: expect.stringMatching(/^EdgeAlbTestBackendRuleRule/) },
          RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceGreenTargetsRole/), 'Arn'] },
        },
      },
    ]);
  });

  it('opens a TLS 1.3 test listener on 8443 with the production certificate, open to alb.allowedCidrs, 404 for other hosts', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^EdgeCertificate') } }],
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^EdgeAlbTest') },
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.cruddur.example.com'] } }],
    });
    s.app.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 8443, ToPort: 8443, IpProtocol: 'tcp' }),
      ]),
    });
  });

  it("rolls back on the 5xx-rate alarm, the p99 alarm over both target groups, and the user's own alarm", () => {
    s.app.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cruddur-prod-backend-release-error-rate',
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression:
            '100 * (FILL(blue5xx, 0) + FILL(green5xx, 0)) / (FILL(blueRequests, 0) + FILL(greenRequests, 0))',
        }),
        Match.objectLike({
          Id: 'green5xx',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count' }),
            Stat: 'Sum',
          }),
        }),
        Match.objectLike({
          Id: 'blueRequests',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }) }),
        }),
      ]),
    });
    s.app.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cruddur-prod-backend-release-p99',
      Threshold: 2,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([blueP99, greenP99])' }),
        Match.objectLike({
          Id: 'greenP99',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'TargetResponseTime' }),
            Stat: 'p99',
          }),
        }),
      ]),
    });
    const alarms = serviceNamed(s, 'cruddur-prod-backend').Properties.DeploymentConfiguration.Alarms;
    expect(alarms).toEqual({
      Enable: true,
      Rollback: true,
      AlarmNames: [
        { Ref: expect.stringMatching(/^BackendReleaseAlarmsErrorRate/) },
        { Ref: expect.stringMatching(/^BackendReleaseAlarmsLatency/) },
        'cruddur-checkout-errors',
      ],
    });
  });

  it('calls the verifier hook once test traffic reaches green, with a role that may invoke only it', () => {
    const verifier = logicalIdOf(
      s,
      'AWS::Lambda::Function',
      (p) => p.FunctionName === 'cruddur-prod-release-verifier',
    );
    const hooks = serviceNamed(s, 'cruddur-prod-backend').Properties.DeploymentConfiguration.LifecycleHooks;
    expect(hooks).toEqual([
      {
        HookTargetArn: { 'Fn::GetAtt': [verifier, 'Arn'] },
        LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ReleaseVerifierInvokeRole/), 'Arn'] },
      },
    ]);
    s.app.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ReleaseVerifierInvokeRole') }],
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [verifier, 'Arn'] } },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('leaves the rolling frontend as it was: one target group, a plain forward rule, circuit breaker only', () => {
    const frontend = serviceNamed(s, 'cruddur-prod-frontend').Properties;
    expect(frontend.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(frontend.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    expect(frontend.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    expect(
      resources(s, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([, r]) => r.Properties.Port === 3000),
    ).toHaveLength(1);
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^EdgeAlbHttps') },
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['cruddur.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }],
    });
  });
});

describe('the release verifier (one per stage)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synths.canary!;
  });

  it('is an inline Node.js Lambda whose config names the health path, then the verify requests, on the test listener', () => {
    s.app.resourceCountIs('AWS::Lambda::Function', 2); // the verifier and CDK's default-SG closer
    const fn = resources(s, 'AWS::Lambda::Function').find(
      ([, r]) => r.Properties.FunctionName === 'cruddur-prod-release-verifier',
    )![1].Properties;
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Code.ZipFile).toContain('exports.handler');
    expect(fn.Code.ZipFile.length).toBeLessThan(4096);
    expect(JSON.parse(fn.Environment.Variables.BERTH_VERIFY)).toEqual({
      'cruddur-prod-backend': {
        origin: 'https://api.cruddur.example.com:8443',
        requests: [
          { method: 'GET', path: '/api/health-check', status: 200 },
          { method: 'GET', path: '/api/activities/home', status: 200, bodyContains: '"uuid"' },
        ],
      },
    });
    expect(fn.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^ReleaseVerifierLogs/) });
  });

  it("logs to its own encrypted group with the config retention, and may only write there and list its services' deployments", () => {
    s.app.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/berth/cruddur/prod/release-verifier',
      RetentionInDays: 1,
      KmsKeyId: Match.anyValue(),
    });
    s.app.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ReleaseVerifierRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReleaseVerifierLogs'), 'Arn'] },
          },
          {
            Action: 'ecs:ListServiceDeployments',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(':service/cruddur-prod/cruddur-prod-backend$')]),
              ],
            },
          },
        ],
        Version: '2012-10-17',
      },
    });
    const role = resources(s, 'AWS::IAM::Role').find(([id]) => id.startsWith('ReleaseVerifierRole'))![1];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('release config the AWS side refuses, refused as the config loads', () => {
  it('refuses a traffic-shifting release when alb.allowedCidrs closes the test listener to the verifier', () => {
    expect(
      configProblems((c) => {
        c.alb = { allowedCidrs: ['203.0.113.0/24'] };
        c.services.backend.release = { strategy: 'canary' };
      }),
    ).toEqual([
      "alb.allowedCidrs: services.backend.release.strategy 'canary' checks new tasks from AWS Lambda through port 8443, which this list closes to it; allow 0.0.0.0/0 or use 'rolling' (docs/releases.md)",
    ]);
  });

  it.each([
    ['canary', 0.15, 'from 0.1 to 100'],
    ['linear', 33.33, 'from 3 to 100'],
    ['linear', 2, 'from 3 to 100'],
  ] as const)(
    'refuses a %s step of %s%%, which ECS does not take, naming the field',
    (strategy, stepPercent, range) => {
      expect(configProblems((c) => (c.services.backend.release = { strategy, stepPercent }))).toEqual([
        `services.backend.release.stepPercent: ${stepPercent} is not a step ECS takes for '${strategy}': use a multiple of 0.1 ${range}`,
      ]);
    },
  );

  it('takes the steps ECS takes', () => {
    expect(
      configProblems((c) => (c.services.backend.release = { strategy: 'canary', stepPercent: 0.1 })),
    ).toEqual([]);
    expect(
      configProblems((c) => (c.services.backend.release = { strategy: 'linear', stepPercent: 3 })),
    ).toEqual([]);
  });
});
