import { describe, expect, it } from 'vitest';
import { contains, overlaps } from '../../src/checks/reachability/cidr.ts';
import { policyAllows } from '../../src/checks/reachability/hops/endpoint-policy.ts';
import { Resolver } from '../../src/shared/template-resolver.ts';

const resolver = new Resolver(
  {
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    },
  },
  { account: '123456789012', region: 'us-east-1' },
);
const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/Table';
const get = {
  action: 'dynamodb:GetItem',
  resource: table,
  principalAccount: '123456789012',
  resourceAccount: '123456789012',
};

describe('CIDR ranges', () => {
  it('contains a subnet in its VPC, not the other way round', () => {
    expect(contains('10.0.0.0/16', '10.0.16.0/20')).toBe(true);
    expect(contains('10.0.16.0/20', '10.0.0.0/16')).toBe(false);
    expect(contains('0.0.0.0/0', '52.94.0.10/32')).toBe(true);
  });

  it('overlaps when one address is shared', () => {
    expect(overlaps('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(overlaps('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
  });
});

describe('intrinsics', () => {
  it("resolves a VPC's CIDR, a table's ARN and a joined string", () => {
    expect(resolver.str({ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] })).toBe('10.0.0.0/16');
    expect(resolver.str({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(table);
    expect(resolver.str({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] })).toBe(
      'com.amazonaws.us-east-1.s3',
    );
    expect(resolver.str({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x' })).toBe('arn:aws:s3:::x');
  });
});

describe('endpoint policies', () => {
  const allowTable = {
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'dynamodb:*',
    Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
    Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
  };

  it('no policy is full access', () => {
    expect(policyAllows(undefined, resolver, get)).toBe(true);
  });

  it('allows a call on the table it names, for the account it names', () => {
    expect(policyAllows({ Statement: [allowTable] }, resolver, get)).toBe(true);
    expect(
      policyAllows({ Statement: [allowTable] }, resolver, { ...get, principalAccount: '210987654321' }),
    ).toBe(false);
    expect(policyAllows({ Statement: [allowTable] }, resolver, { ...get, resource: `${table}-other` })).toBe(
      false,
    );
  });

  it('lets an explicit deny win', () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 'dynamodb:Get*', Resource: '*' };
    expect(policyAllows({ Statement: [allowTable, deny] }, resolver, get)).toBe(false);
  });

  it('does not assume a condition it cannot read holds', () => {
    const vpc = { ...allowTable, Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } };
    expect(policyAllows({ Statement: [vpc] }, resolver, get)).toBe(false);
  });
});
