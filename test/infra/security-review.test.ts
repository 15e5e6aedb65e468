import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/shared/errors.ts';
import { cruddur, synthesize, type Synthesized } from '../fixtures.ts';

/**
 * The security review's findings (issue 12), each asserted on the synthesized template:
 * every test here failed on the templates berth made before the fix.
 */
let ref: Synthesized;
beforeAll(() => {
  ref = synthesize(cruddur());
});

const resourcesOf = (s: Synthesized, type: string) =>
  Object.entries(s.appJson.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const statementsOf = (s: Synthesized, rolePrefix: string) =>
  resourcesOf(s, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref.startsWith(rolePrefix)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const actionsOf = (statements: any[]) => statements.flatMap((st) => [st.Action].flat());

describe('ECS Exec is opt-in and logs nothing it cannot log', () => {
  it('is off unless the config opts in', () => {
    // GIVEN the reference config, which does not mention exec
    // THEN no service enables it and no task role holds its channels
    ref.app.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: false });
    expect(JSON.stringify(ref.appJson)).not.toContain('ssmmessages');
  });

  it('when on: encrypts sessions with the app key, configures no session logging, grants only kms:Decrypt', () => {
    // GIVEN a config that opts in
    const on = synthesize(cruddur((c) => ({ ...c, exec: true })));
    // THEN the cluster names the key and turns session logging off (the images have no `script`)
    on.app.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          Logging: 'NONE',
          LogConfiguration: Match.absent(),
        },
      },
    });
    on.app.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    // AND each task role may decrypt the session but not make data keys
    for (const role of ['BackendTaskRole', 'FrontendTaskRole']) {
      const actions = actionsOf(statementsOf(on, role));
      expect(actions).toEqual(expect.arrayContaining(['kms:Decrypt', 'ssmmessages:OpenDataChannel']));
      expect(actions.filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt']);
      expect(actions.filter((a) => a.startsWith('logs:'))).toEqual([]);
    }
  });
});

describe('security logs keep their own retention', () => {
  it('writes flow logs to a KMS-encrypted, private, TLS-only S3 bucket that expires at the security retention', () => {
    // GIVEN the reference config (app logs 1 day, security logs by default 90 days)
    // THEN no flow log goes to CloudWatch
    ref.app.resourceCountIs('AWS::EC2::FlowLog', 1);
    ref.app.hasResourceProperties('AWS::EC2::FlowLog', {
      LogDestinationType: 's3',
      LogDestination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowLogsBucket'), 'Arn'] },
    });
    // AND the bucket is on the app key, private, versioned, logged, and expires after 90 days
    const [id, bucket] = resourcesOf(ref, 'AWS::S3::Bucket').find(([id]) => id.startsWith('FlowLogsBucket'))!;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^EdgeAccessLogs/) } },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })],
      },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    const [, policy] = resourcesOf(ref, 'AWS::S3::BucketPolicy').find(
      ([, p]) => p.Properties.Bucket.Ref === id,
    )!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: expect.objectContaining({
            StringEquals: expect.objectContaining({ 'aws:SourceAccount': '123456789012' }),
          }),
        }),
      ]),
    );
    ref.app.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' } })],
        }),
      },
      0,
    );
  });

  it('lets the log delivery service use the app key only for this account', () => {
    const [key] = Object.values(ref.app.findResources('AWS::KMS::Key'));
    const delivery = key!.Properties.KeyPolicy.Statement.find(
      (st: any) => st.Sid === 'FlowLogDeliveryEncrypts',
    );
    expect(delivery.Principal).toEqual({ Service: 'delivery.logs.amazonaws.com' });
    expect(delivery.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
  });

  it('keeps WAF logs for the security retention, apart from the app logs', () => {
    // GIVEN WAF on and security logs kept a year
    const s = synthesize(
      cruddur((c) => ({ ...c, waf: true, logs: { retentionDays: 1, securityRetentionDays: 365 } })),
    );
    // THEN the WAF group keeps 365 days, the flow-log bucket expires at 365, the app groups keep 1
    s.app.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-cruddur-prod',
      RetentionInDays: 365,
    });
    s.app.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      }),
    });
    s.app.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/berth/cruddur/prod/backend',
      RetentionInDays: 1,
    });
  });

  it('creates the Container Insights group and the default-SG closer’s group with the app key and retention', () => {
    ref.app.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/ecs/containerinsights/cruddur-prod/performance',
      RetentionInDays: 1,
      KmsKeyId: Match.anyValue(),
    });
    ref.app.hasResource('AWS::ECS::Cluster', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ClusterInsightsLogs')]),
    });
    const [, handler] = resourcesOf(ref, 'AWS::Lambda::Function')[0]!;
    const groupId = handler.Properties.LoggingConfig.LogGroup.Ref;
    expect(ref.appJson.Resources[groupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 1, KmsKeyId: expect.anything() },
    });
  });
});

describe('WAF', () => {
  it('redacts credentials from its logs and blocks an IP past the default rate', () => {
    // GIVEN waf: true
    const s = synthesize(cruddur((c) => ({ ...c, waf: true })));
    // THEN the logging configuration redacts the authorization and cookie headers
    s.app.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
    // AND a rate-based rule per IP comes first and blocks
    s.app.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RatePerIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
        }),
      ]),
    });
  });

  it('takes the rate limit from the config', () => {
    const s = synthesize(cruddur((c) => ({ ...c, waf: { rateLimit: 500 } })));
    s.app.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } } }),
      ]),
    });
  });
});

describe('GuardDuty Runtime Monitoring', () => {
  it("lets each execution role pull GuardDuty's Fargate agent from GuardDuty's repository in the region", () => {
    // GIVEN guardDuty on in us-east-1
    const s = synthesize(cruddur((c) => ({ ...c, guardDuty: true })));
    // THEN both execution roles may pull from GuardDuty's documented us-east-1 repository, and only that
    for (const role of ['BackendExecutionRole', 'FrontendExecutionRole']) {
      const pull = statementsOf(s, role).find((st) => st.Sid === 'PullGuardDutyAgent');
      expect(pull).toMatchObject({
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: 'arn:aws:ecr:us-east-1:593207742271:repository/aws-guardduty-agent-fargate',
      });
    }
    // AND without guardDuty no role names that repository
    expect(JSON.stringify(ref.appJson)).not.toContain('aws-guardduty-agent-fargate');
  });

  it('refuses a region whose agent repository berth does not know, naming the fix', () => {
    const config = cruddur((c) => ({ ...c, guardDuty: true, env: { ...c.env, region: 'ap-northeast-1' } }));
    expect(() => synthesize(config)).toThrow(BerthError);
    expect(() => synthesize(config)).toThrow(/ap-northeast-1.*set guardDuty: false/);
  });
});

describe('least privilege', () => {
  it('trusts only ECS tasks of this account and region in task roles (confused deputy)', () => {
    for (const [id, role] of resourcesOf(ref, 'AWS::IAM::Role').filter(([id]) => /TaskRole/.test(id))) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement, id).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: {
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:123456789012:*']],
              },
            },
            StringEquals: { 'aws:SourceAccount': '123456789012' },
          },
        },
      ]);
    }
  });

  it('grants SSM secrets with ssm:GetParameters only, not their history', () => {
    const s = synthesize(
      cruddur((c) => {
        c.services.backend!.secrets = { TOKEN: { ssm: '/cruddur/backend/TOKEN' } };
        return c;
      }),
    );
    const ssmActions = actionsOf(statementsOf(s, 'BackendExecutionRole')).filter((a) => a.startsWith('ssm:'));
    expect(ssmActions).toEqual(['ssm:GetParameters']);
  });

  it('reads a Secrets Manager secret given by complete ARN from that secret only', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cruddur/api-key-AbCdEf';
    const s = synthesize(
      cruddur((c) => {
        c.services.backend!.secrets = { API_KEY: { secretsManager: arn, field: 'key' } };
        return c;
      }),
    );
    s.app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Secrets: [{ Name: 'API_KEY', ValueFrom: `${arn}:key::` }] })],
    });
    const reads = statementsOf(s, 'BackendExecutionRole').filter((st) =>
      actionsOf([st]).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads.map((st) => st.Resource)).toEqual([arn]);
  });

  it('gives a table permission without access read-only access', () => {
    const s = synthesize(
      cruddur((c) => {
        c.services.backend!.permissions = [{ table: 'activities' }];
        return c;
      }),
    );
    const actions = actionsOf(statementsOf(s, 'BackendTaskRole'));
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('never expires an image by age, only beyond the last N', () => {
    for (const repo of Object.values(ref.registry.findResources('AWS::ECR::Repository'))) {
      const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
      expect(rules.map((r: any) => r.selection.countType)).toEqual([
        'imageCountMoreThan',
        'imageCountMoreThan',
      ]);
    }
  });

  it("encrypts tables with DynamoDB's AWS managed key, as docs/compliance.md says, so task roles need no KMS grant", () => {
    ref.app.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: Match.absent(), KMSMasterKeyId: Match.absent() },
    });
    expect(actionsOf(statementsOf(ref, 'BackendTaskRole')).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('makes the NAT instance an SSM managed node', () => {
    ref.app.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore'],
          ],
        },
      ],
    });
  });

  it('names only the routed hosts on the certificate', () => {
    // GIVEN a third service on its own name
    const s = synthesize(
      cruddur((c) => {
        c.services.admin = { ...structuredClone(c.services.backend!), route: { host: 'admin' } };
        return c;
      }),
    );
    // THEN the certificate names the apex and exactly those two hosts, no wildcard
    s.app.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'cruddur.example.com',
      SubjectAlternativeNames: ['admin.cruddur.example.com', 'api.cruddur.example.com'],
    });
  });
});
