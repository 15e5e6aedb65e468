import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { BerthConfig, EgressStrategy } from '../../src/config/index.ts';
import { cruddur, synthesize, type Synthesized } from '../fixtures.ts';

const withEgress = (egress: EgressStrategy, change: (c: BerthConfig) => void = () => {}) =>
  synthesize(
    cruddur((c) => {
      c.network = { ...c.network, egress };
      change(c);
      return c;
    }),
  );

const groupId = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'GroupId'] });
const resources = (s: Synthesized, type: string) => Object.entries(s.app.findResources(type));
const gatewayEndpoints = (s: Synthesized) =>
  resources(s, 'AWS::EC2::VPCEndpoint').filter(([, e]) => e.Properties.VpcEndpointType === 'Gateway');

describe('NAT instance', () => {
  const s = withEgress('nat-instance');

  it('admits HTTPS from each task security group, and nothing from any address range', () => {
    for (const task of ['BackendSecurityGroup', 'FrontendSecurityGroup']) {
      s.app.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: groupId('NetworkVpcNatSecurityGroup'),
        SourceSecurityGroupId: groupId(task),
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      });
    }
    const nat = resources(s, 'AWS::EC2::SecurityGroup').find(([id]) =>
      id.startsWith('NetworkVpcNatSecurityGroup'),
    )!;
    expect(nat[1].Properties.SecurityGroupIngress).toBeUndefined();
    const natIngress = resources(s, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => r.Properties.GroupId['Fn::GetAtt'][0] === nat[0],
    );
    expect(
      natIngress.map(([, r]) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.CidrIp]),
    ).toEqual([
      [443, 443, undefined],
      [443, 443, undefined],
    ]);
  });

  it('is recovered on a failed system check and rebooted on a failed instance check', () => {
    for (const [metric, action] of [
      ['StatusCheckFailed_System', 'recover'],
      ['StatusCheckFailed_Instance', 'reboot'],
    ]) {
      s.app.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/EC2',
        MetricName: metric,
        Dimensions: [{ Name: 'InstanceId', Value: { Ref: Match.stringLikeRegexp('NatInstance') } }],
        AlarmActions: [{ 'Fn::Join': ['', Match.arrayWith([`:automate:us-east-1:ec2:${action}`])] }],
      });
    }
  });
});

describe('gateway endpoints', () => {
  it.each(['nat-instance', 'nat-gateway', 'endpoints'] as const)(
    '%s: S3 and DynamoDB on the private route tables only',
    (egress) => {
      const s = withEgress(egress);
      const gateways = gatewayEndpoints(s);
      expect(gateways.map(([, e]) => e.Properties.ServiceName['Fn::Join'][1][2]).sort()).toEqual([
        '.dynamodb',
        '.s3',
      ]);
      for (const [, e] of gateways) {
        expect(e.Properties.RouteTableIds).toHaveLength(2);
        for (const table of e.Properties.RouteTableIds)
          expect(table.Ref).toMatch(/PrivateSubnet\dRouteTable/);
      }
    },
  );

  it('no DynamoDB endpoint without tables; none at all for public tasks', () => {
    const noTables = withEgress('nat-gateway', (c) => {
      delete c.tables;
      delete c.services.backend!.permissions;
    });
    expect(gatewayEndpoints(noTables)).toHaveLength(1);
    expect(gatewayEndpoints(withEgress('public-tasks'))).toHaveLength(0);
  });

  it("S3 admits ECR's layer bucket and this account's own buckets only", () => {
    const s = withEgress('nat-instance');
    s.app.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', Match.arrayWith(['.s3'])] },
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*',
          }),
          Match.objectLike({
            Action: 's3:*',
            Condition: {
              StringEquals: { 'aws:PrincipalAccount': '123456789012', 'aws:ResourceAccount': '123456789012' },
            },
          }),
        ],
      },
    });
  });

  it("DynamoDB admits this account's principals to the app's tables only", () => {
    const s = withEgress('nat-instance');
    s.app.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', Match.arrayWith(['.dynamodb'])] },
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'dynamodb:*',
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesActivities'), 'Arn'] },
              {
                'Fn::Join': [
                  '',
                  [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesActivities'), 'Arn'] }, '/index/*'],
                ],
              },
            ],
            Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
          }),
        ],
      },
    });
  });
});

describe('interface endpoints (egress endpoints)', () => {
  const s = withEgress('endpoints', (c) => {
    c.exec = true;
  });

  it('each admits only principals of this account', () => {
    const interfaces = resources(s, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties.VpcEndpointType === 'Interface',
    );
    expect(interfaces.length).toBeGreaterThan(0);
    for (const [, e] of interfaces) {
      expect(e.Properties.PolicyDocument.Statement).toEqual([
        expect.objectContaining({ Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } } }),
      ]);
    }
  });

  it('adds KMS only with exec', () => {
    s.app.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.kms' });
    const noExec = withEgress('endpoints', (c) => {
      c.exec = false;
    });
    expect(resources(noExec, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties.ServiceName)).not.toContain(
      'com.amazonaws.us-east-1.kms',
    );
  });

  it('their security group admits the task groups on 443, not the VPC range', () => {
    const sg = resources(s, 'AWS::EC2::SecurityGroup').find(([id]) =>
      id.startsWith('NetworkEndpointSecurityGroup'),
    )!;
    expect(sg[1].Properties.SecurityGroupIngress).toBeUndefined();
    for (const task of ['BackendSecurityGroup', 'FrontendSecurityGroup']) {
      s.app.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: groupId('NetworkEndpointSecurityGroup'),
        SourceSecurityGroupId: groupId(task),
        FromPort: 443,
        ToPort: 443,
      });
    }
  });
});

describe('task security groups', () => {
  it('let only HTTPS out when a service calls nothing', () => {
    const s = withEgress('nat-instance');
    for (const prefix of ['BackendSecurityGroup', 'FrontendSecurityGroup']) {
      const [, sg] = resources(s, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith(prefix))!;
      expect(sg.Properties.SecurityGroupEgress).toEqual([
        {
          CidrIp: '0.0.0.0/0',
          Description: 'HTTPS to AWS APIs',
          FromPort: 443,
          IpProtocol: 'tcp',
          ToPort: 443,
        },
      ]);
    }
    expect(
      resources(s, 'AWS::EC2::SecurityGroupEgress').filter(([id]) =>
        /^(Backend|Frontend)SecurityGroup/.test(id),
      ),
    ).toEqual([]);
  });

  it('open a declared call on the callee port, one way, and no other service-to-service rule', () => {
    const s = withEgress('nat-instance', (c) => {
      c.services.frontend!.calls = ['backend'];
    });
    s.app.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: groupId('FrontendSecurityGroup'),
      DestinationSecurityGroupId: groupId('BackendSecurityGroup'),
      FromPort: 4567,
      ToPort: 4567,
    });
    const task = /^(Backend|Frontend)SecurityGroup/;
    const taskToTask = resources(s, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) =>
        task.test(r.Properties.GroupId['Fn::GetAtt'][0]) &&
        task.test(r.Properties.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] ?? ''),
    );
    expect(taskToTask.map(([, r]) => [r.Properties.GroupId['Fn::GetAtt'][0], r.Properties.FromPort])).toEqual(
      [[expect.stringMatching(/^BackendSecurityGroup/), 4567]],
    );
  });
});
