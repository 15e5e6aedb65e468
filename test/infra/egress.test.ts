import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { EgressStrategy } from '../../src/config/index.ts';
import { cruddur, synthesize } from '../fixtures.ts';

const withEgress = (egress: EgressStrategy, change: (c: any) => void = () => {}) =>
  synthesize(
    cruddur((c) => {
      c.network = { ...c.network, egress };
      change(c);
      return c;
    }),
  );

const interfaceEndpoints = (s: ReturnType<typeof synthesize>) =>
  Object.values(s.app.findResources('AWS::EC2::VPCEndpoint'))
    .filter((e: any) => e.Properties.VpcEndpointType === 'Interface')
    .map((e: any) => String(e.Properties.ServiceName).replace('com.amazonaws.us-east-1.', ''))
    .sort();

describe('egress strategies', () => {
  it('nat-gateway: one NAT gateway, private tasks, no NAT instance, only the free gateway endpoints', () => {
    const s = withEgress('nat-gateway');
    s.app.resourceCountIs('AWS::EC2::NatGateway', 1);
    s.app.resourceCountIs('AWS::EC2::Instance', 0);
    expect(interfaceEndpoints(s)).toEqual([]);
    s.app.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('nat-instance: one t4g.nano NAT instance, no NAT gateway', () => {
    const s = withEgress('nat-instance');
    s.app.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.app.resourceCountIs('AWS::EC2::Instance', 1);
    s.app.hasResourceProperties('AWS::EC2::Route', {
      DestinationCidrBlock: '0.0.0.0/0',
      InstanceId: Match.anyValue(),
    });
  });

  it('endpoints: no NAT, isolated subnets, and the endpoints Fargate needs (with exec on)', () => {
    const s = withEgress('endpoints', (c) => (c.exec = true));
    s.app.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.app.resourceCountIs('AWS::EC2::Instance', 0);
    // KMS and ssmmessages for ECS Exec, turned on here (the reference config has it off).
    expect(interfaceEndpoints(s)).toEqual(['ecr.api', 'ecr.dkr', 'kms', 'logs', 'ssmmessages']);
    const gateways = Object.values(s.app.findResources('AWS::EC2::VPCEndpoint')).filter(
      (e: any) => e.Properties.VpcEndpointType === 'Gateway',
    );
    // S3 for image layers, DynamoDB for the activities table.
    expect(gateways).toHaveLength(2);
    s.app.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('endpoints: adds ssm and secretsmanager only when secrets use them, ssmmessages only with exec', () => {
    const s = withEgress('endpoints', (c) => {
      c.exec = false;
      c.services.backend.secrets = {
        A: { ssm: '/cruddur/backend/A' },
        B: { secretsManager: 'cruddur/backend/b' },
      };
    });
    expect(interfaceEndpoints(s)).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']);
  });

  it('public-tasks: only public subnets, tasks get public IPs, no NAT and no endpoints', () => {
    const s = withEgress('public-tasks');
    s.app.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.app.resourceCountIs('AWS::EC2::Instance', 0);
    s.app.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    s.app.resourceCountIs('AWS::EC2::Subnet', 2);
    s.app.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
  });
});
