import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cruddur, synthesize, type Synthesized } from '../fixtures.ts';

/** The reference deployment, requirement by requirement, as the synthesized templates hold it. */
let s: Synthesized;
beforeAll(() => {
  s = synthesize(cruddur());
});

const resourcesOf = (type: string) =>
  Object.entries(s.appJson.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const taskDefFor = (family: string) =>
  resourcesOf('AWS::ECS::TaskDefinition').find(([, r]) => r.Properties.Family === family)![1].Properties;
const containerOf = (family: string) => taskDefFor(family).ContainerDefinitions[0];

describe('network', () => {
  it('spans two AZs with public and private subnets, the AZs picked at deploy time', () => {
    s.app.resourceCountIs('AWS::EC2::VPC', 1);
    s.app.resourceCountIs('AWS::EC2::Subnet', 4);
    s.app.hasResourceProperties('AWS::EC2::Subnet', {
      AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
      MapPublicIpOnLaunch: false,
    });
  });

  it('routes private egress through one hardened NAT instance (the default strategy)', () => {
    s.app.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.app.resourceCountIs('AWS::EC2::Instance', 1);
    s.app.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      Monitoring: true,
      BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
      LaunchTemplate: Match.anyValue(),
    });
    s.app.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      }),
    });
  });

  it('writes VPC flow logs of all traffic to S3', () => {
    s.app.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 's3',
    });
  });

  it('closes the default security group', () => {
    s.app.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});

describe('registry', () => {
  it('has one repository per built service plus one for the mirrored base image', () => {
    s.registry.resourceCountIs('AWS::ECR::Repository', 3);
    for (const name of ['cruddur/frontend', 'cruddur/backend', 'cruddur/base']) {
      s.registry.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: name });
    }
  });

  it('scans on push, keeps tags immutable, encrypts with KMS and expires old images', () => {
    const repos = Object.values(s.registry.findResources('AWS::ECR::Repository'));
    for (const repo of repos) {
      expect(repo.Properties).toMatchObject({
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
      const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
      expect(policy.rules).toEqual([
        expect.objectContaining({
          selection: expect.objectContaining({
            tagStatus: 'untagged',
            countType: 'imageCountMoreThan',
            countNumber: 5,
          }),
        }),
        expect.objectContaining({
          selection: expect.objectContaining({
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: 20,
          }),
        }),
      ]);
      expect(repo.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('encryption key', () => {
  it('rotates, and lets CloudWatch Logs use it only for this account’s log groups', () => {
    const [key] = Object.values(s.app.findResources('AWS::KMS::Key'));
    expect(key!.Properties.EnableKeyRotation).toBe(true);
    const logs = key!.Properties.KeyPolicy.Statement.find(
      (st: any) => st.Sid === 'CloudWatchLogsForThisAccount',
    );
    expect(logs.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(
      ':log-group:*',
    );
  });
});

describe('cluster', () => {
  it('turns on Container Insights, and no ECS Exec (the reference config does not opt in)', () => {
    s.app.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'cruddur-prod',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      Configuration: Match.absent(),
    });
  });

  it('creates the Service Connect namespace named after the app and stage', () => {
    s.app.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'cruddur-prod' });
  });
});

describe('services', () => {
  it('runs one task definition and one Fargate service per container, on arm64 (Graviton) by default', () => {
    s.app.resourceCountIs('AWS::ECS::TaskDefinition', 2);
    s.app.resourceCountIs('AWS::ECS::Service', 2);
    for (const family of ['cruddur-prod-frontend', 'cruddur-prod-backend']) {
      expect(taskDefFor(family).ContainerDefinitions).toHaveLength(1);
      expect(taskDefFor(family)).toMatchObject({
        Cpu: '256',
        Memory: '512',
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
    }
  });

  it('hardens each container: read-only root, numeric non-root user, no capabilities, memory limit', () => {
    for (const family of ['cruddur-prod-frontend', 'cruddur-prod-backend']) {
      expect(containerOf(family)).toMatchObject({
        ReadonlyRootFilesystem: true,
        User: '1000:1000',
        Privileged: false,
        Memory: 512,
        // The app's 10 s shutdown plus a margin, the same 15 s as the target group's deregistration delay.
        StopTimeout: 15,
        LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: false },
      });
    }
  });

  it('mounts a writable volume for /tmp only (no exec agent paths without exec)', () => {
    const paths = containerOf('cruddur-prod-backend')
      .MountPoints.map((m: any) => m.ContainerPath)
      .sort();
    expect(paths).toEqual(['/tmp']);
  });

  it("checks health with the app's own command, not curl", () => {
    expect(containerOf('cruddur-prod-backend').HealthCheck).toEqual({
      Command: ['CMD', 'node', 'dist/healthcheck.js'],
      Interval: 15,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 10,
    });
    // The frontend image serves with nginx and checks itself with a static program (no node, no shell).
    expect(containerOf('cruddur-prod-frontend').HealthCheck.Command).toEqual(['CMD', '/app/healthcheck']);
    expect(JSON.stringify(s.appJson)).not.toMatch(/curl/);
  });

  it('logs each service to its own group with the configured one-day retention', () => {
    for (const name of ['/berth/cruddur/prod/frontend', '/berth/cruddur/prod/backend']) {
      s.app.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: name,
        RetentionInDays: 1,
        KmsKeyId: Match.anyValue(),
      });
    }
    expect(containerOf('cruddur-prod-backend').LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
  });

  it('runs private tasks without public IPs, without exec, with circuit breaker and 100/200 deployments', () => {
    s.app.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'cruddur-prod-backend',
      PlatformVersion: 'LATEST',
      EnableExecuteCommand: false,
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('runs no Service Connect proxy where no service declares a call (the browser calls the API through the ALB)', () => {
    for (const service of Object.values(s.app.findResources('AWS::ECS::Service')))
      expect(service.Properties.ServiceConnectConfiguration).toBeUndefined();
  });

  it('publishes a called service under its own name through Service Connect; its caller is a client only', () => {
    const calling = synthesize(
      cruddur((c) => {
        c.services.frontend!.calls = ['backend'];
        return c;
      }),
    );
    calling.app.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'cruddur-prod-backend',
      ServiceConnectConfiguration: Match.objectLike({
        Enabled: true,
        Services: [
          Match.objectLike({ PortName: 'http', ClientAliases: [{ DnsName: 'backend', Port: 4567 }] }),
        ],
      }),
    });
    calling.app.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'cruddur-prod-frontend',
      ServiceConnectConfiguration: Match.objectLike({ Enabled: true, Services: [] }),
    });
  });

  it('scales on CPU and on requests per target', () => {
    s.app.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
    s.app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 70,
      }),
    });
    s.app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 1000,
      }),
    });
  });

  it('puts nothing secret in the environment and passes secrets through `secrets`', () => {
    const withSecret = synthesize(
      cruddur((c) => {
        c.services.backend!.secrets = {
          ROLLBAR_TOKEN: { ssm: '/cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN' },
        };
        return c;
      }),
    );
    const container = Object.values(withSecret.app.findResources('AWS::ECS::TaskDefinition'))
      .map((r: any) => r.Properties.ContainerDefinitions[0])
      .find((c: any) => c.Name === 'backend');
    expect(container.Secrets).toHaveLength(1);
    expect(container.Secrets[0].Name).toBe('ROLLBAR_TOKEN');
    expect(JSON.stringify(container.Secrets)).toContain(
      ':parameter/cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN',
    );
    expect(container.Environment.map((e: any) => e.Name)).not.toContain('ROLLBAR_TOKEN');
    // Only the backend's execution role may read it, and only that parameter.
    const policies = Object.entries(withSecret.app.findResources('AWS::IAM::Policy'));
    const readers = policies.filter(([, p]: [string, any]) =>
      JSON.stringify(p).includes('ssm:GetParameters'),
    );
    expect(readers.map(([id]) => id)).toEqual([expect.stringMatching(/^BackendExecutionRole/)]);
    const statement = readers[0]![1].Properties.PolicyDocument.Statement.find((st: any) =>
      [st.Action].flat().includes('ssm:GetParameters'),
    );
    expect(JSON.stringify(statement.Resource)).toContain(
      ':parameter/cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN',
    );
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
  });
});

describe('roles', () => {
  const policiesOf = (roleLogicalIdPrefix: string) =>
    resourcesOf('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref.startsWith(roleLogicalIdPrefix)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  it('lets the execution role pull only its own repository and write only its own log group', () => {
    const statements = policiesOf('BackendExecutionRole');
    const pull = statements.find((st: any) => [st.Action].flat().includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pull.Resource)).toContain('repository/cruddur/backend');
    expect(JSON.stringify(pull.Resource)).not.toContain('cruddur/frontend');
    const logs = statements.find((st: any) => [st.Action].flat().includes('logs:PutLogEvents'));
    expect(JSON.stringify(logs.Resource)).toContain('BackendLogs');
    expect(JSON.stringify(logs.Resource)).not.toContain('FrontendLogs');
  });

  it("grants the backend's task role the table access it declares, and the frontend's nothing", () => {
    const backend = JSON.stringify(policiesOf('BackendTaskRole'));
    expect(backend).toContain('dynamodb:PutItem');
    expect(backend).not.toContain('ssmmessages:');
    expect(policiesOf('FrontendTaskRole')).toEqual([]);
  });

  it('hands the table name to the backend, not the frontend', () => {
    expect(containerOf('cruddur-prod-backend').Environment).toEqual(
      expect.arrayContaining([
        { Name: 'ACTIVITIES_TABLE', Value: { Ref: expect.stringMatching(/^TablesActivities/) } },
      ]),
    );
    expect(JSON.stringify(containerOf('cruddur-prod-frontend').Environment ?? [])).not.toContain(
      'ACTIVITIES_TABLE',
    );
  });
});

describe('edge', () => {
  it('is an internet-facing ALB in public subnets that drops invalid headers, mitigates desync and logs access', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'defensive' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    s.app.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
    });
  });

  it('opens 80 and 443 from the allowed CIDRs only, and tasks only to the ALB on their port', () => {
    const albSg = resourcesOf('AWS::EC2::SecurityGroup').find(([id]) =>
      id.startsWith('EdgeSecurityGroup'),
    )![1];
    expect(albSg.Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort])).toEqual([
      ['0.0.0.0/0', 80],
      ['0.0.0.0/0', 443],
    ]);
    s.app.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 4567,
      ToPort: 4567,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeSecurityGroup'), 'GroupId'] },
    });
  });

  it('narrows the ALB to alb.allowedCidrs', () => {
    const narrowed = synthesize(cruddur((c) => ({ ...c, alb: { allowedCidrs: ['203.0.113.0/24'] } })));
    const sg = Object.entries(narrowed.app.findResources('AWS::EC2::SecurityGroup')).find(([id]) =>
      id.startsWith('EdgeSecurityGroup'),
    )![1];
    expect(sg.Properties.SecurityGroupIngress.map((r: any) => r.CidrIp)).toEqual([
      '203.0.113.0/24',
      '203.0.113.0/24',
    ]);
  });

  it('redirects HTTP to HTTPS with a 301', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
  });

  it('terminates TLS 1.3 with the ACM certificate and answers a fixed 404 by default', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^EdgeCertificate') } }],
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: {
            StatusCode: '404',
            ContentType: 'text/plain',
            MessageBody: '404 Not Found\n',
          },
        },
      ],
    });
  });

  it('sends the apex host to the frontend target group through its own rule', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['cruddur.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^EdgeFrontendTargets') } }],
    });
  });

  it('sends api.<domain> to the backend target group', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.cruddur.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^EdgeBackendTargets') } }],
    });
  });

  it('checks target health on each service path, with a deregistration delay above the shutdown timeout', () => {
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 4567,
      TargetType: 'ip',
      HealthCheckPath: '/api/health-check',
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '15' }]),
    });
    s.app.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      TargetType: 'ip',
      HealthCheckPath: '/',
    });
  });

  it('requests a DNS-validated certificate for exactly the routed names, no wildcard', () => {
    s.app.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'cruddur.example.com',
      SubjectAlternativeNames: ['api.cruddur.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([
        { DomainName: 'cruddur.example.com', HostedZoneId: 'Z0123456789CRUDDUR' },
      ]),
    });
  });

  it('aliases the apex and api. to the ALB in the hosted zone', () => {
    s.app.resourceCountIs('AWS::Route53::RecordSet', 2);
    for (const name of ['cruddur.example.com.', 'api.cruddur.example.com.']) {
      s.app.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: name,
        Type: 'A',
        HostedZoneId: 'Z0123456789CRUDDUR',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
    }
  });

  it('adds no WAF unless asked, and a web ACL with AWS managed rules when asked', () => {
    s.app.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const withWaf = synthesize(cruddur((c) => ({ ...c, waf: true })));
    withWaf.app.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' })]),
    });
    withWaf.app.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const [logging] = Object.values(withWaf.app.findResources('AWS::WAFv2::LoggingConfiguration'));
    const destination = JSON.stringify(logging!.Properties.LogDestinationConfigs);
    expect(destination).toContain(':log-group:');
    expect(destination).not.toContain(':*');
  });
});

describe('data and outputs', () => {
  it('creates the activities table with pk/sk, on demand, point-in-time recovery, kept on delete', () => {
    s.app.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('outputs the URLs, the cluster and service names and the repository URIs', () => {
    s.app.hasOutput('FrontendUrl', { Value: 'https://cruddur.example.com' });
    s.app.hasOutput('BackendUrl', { Value: 'https://api.cruddur.example.com' });
    s.app.hasOutput('ClusterName', Match.anyValue());
    s.app.hasOutput('BackendServiceName', Match.anyValue());
    expect(Object.keys(s.registry.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['BaseUri', 'BackendUri', 'FrontendUri']),
    );
  });
});

describe('options', () => {
  it('leaves exec out entirely by default: no exec paths, no ssmmessages', () => {
    expect(JSON.stringify(s.appJson)).not.toContain('ssmmessages');
    expect(JSON.stringify(s.appJson)).not.toContain('/managed-agents');
  });

  it('tags the cluster for the GuardDuty Fargate agent when guardDuty is on', () => {
    const on = synthesize(cruddur((c) => ({ ...c, guardDuty: true })));
    on.app.hasResourceProperties('AWS::ECS::Cluster', {
      Tags: Match.arrayWith([{ Key: 'GuardDutyManaged', Value: 'true' }]),
    });
  });

  it('splits tasks between Fargate and Fargate Spot by the spot share, on x86_64 when asked', () => {
    const spot = synthesize(
      cruddur((c) => {
        Object.assign(c.services.backend!, { spot: 50, architecture: 'x86_64' });
        return c;
      }),
    );
    spot.app.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'cruddur-prod-backend',
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Weight: 50, Base: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 50 },
      ],
    });
    spot.app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'cruddur-prod-backend',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    spot.app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'cruddur-prod-frontend',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });
});
