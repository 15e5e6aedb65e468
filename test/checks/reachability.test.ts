import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkReachability } from '../../src/checks/index.ts';
import { EGRESS_STRATEGIES, type EgressStrategy, type ResolvedConfig } from '../../src/config/index.ts';
import { names } from '../../src/infra/index.ts';
import { cruddur, synthesize } from '../fixtures.ts';

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

const env = { account: '123456789012', region: 'us-east-1' };

function declared(config: ResolvedConfig, calls: Record<string, string[]> = {}) {
  return config.services.map((s) => ({
    id: s.id,
    serviceName: names.service(config, s),
    calls: calls[s.id] ?? s.calls,
  }));
}

function run(template: Template, config: ResolvedConfig, calls?: Record<string, string[]>) {
  return checkReachability(template, { env, stack: 'Cruddur', services: declared(config, calls) });
}

const ids = (t: Template, type: string, prefix = '') =>
  Object.keys(t.Resources).filter((id) => t.Resources[id]!.Type === type && id.startsWith(prefix));

/** The reference config with an egress strategy, synthesized once per strategy. */
const variants = new Map<EgressStrategy, { config: ResolvedConfig; template: Template }>();
const variant = (egress: EgressStrategy) => {
  const v = variants.get(egress)!;
  return { config: v.config, template: structuredClone(v.template) };
};

beforeAll(() => {
  for (const egress of EGRESS_STRATEGIES) {
    // Exec on, whatever the default: its paths (ssmmessages, KMS) are checked too.
    const config = cruddur((c) => ({ ...c, exec: true, network: { ...c.network, egress } }));
    variants.set(egress, { config, template: synthesize(config).appJson as Template });
  }
});

describe('the reachability check on the reference config', () => {
  it.each(EGRESS_STRATEGIES)('egress %s: every needed path is open and nothing else', (egress) => {
    const { config, template } = variant(egress);
    const report = run(template, config);
    expect(report.findings).toEqual([]);
    const rules = new Set(report.paths.map((p) => p.rule));
    for (const rule of [
      'Reachability-Ecr',
      'Reachability-EcrLayers',
      'Reachability-Logs',
      'Reachability-DynamoDb',
      'Reachability-Exec',
      'Reachability-LoadBalancer',
      'Reachability-UndeclaredCall',
      'Reachability-InternetExposure',
    ])
      expect(rules, rule).toContain(rule);
  });

  it('fails on the nat-instance template as it was before the fix: the NAT group admits nothing', () => {
    const before = JSON.parse(
      readFileSync(path.join(import.meta.dirname, 'fixtures/nat-instance-before-fix.json'), 'utf8'),
    ) as Template;
    const { config } = variant('nat-instance');
    // That template predates stages: its services are named cruddur-<id>, not cruddur-prod-<id>.
    const report = checkReachability(before, {
      env,
      stack: 'Cruddur',
      services: config.services.map((s) => ({ id: s.id, serviceName: `cruddur-${s.id}`, calls: [] })),
    });
    const aws = report.findings.filter((f) => /Ecr|Logs|DynamoDb|Exec/.test(f.rule));
    // Every AWS API of both services: ECR API, registry, layers, logs, exec (2) each, plus the table.
    expect(aws).toHaveLength(13);
    for (const f of aws) {
      expect(f.resource).toMatch(/^Cruddur\/NetworkVpcNatSecurityGroup/);
      expect(f.message).toContain('security-group-ingress');
      expect(f.fix).toMatch(/add an ingress rule for TCP 443 from (backend|frontend) tasks/);
    }
    // And every service could call every other one, though none declares a call.
    expect(report.findings.filter((f) => f.rule === 'Reachability-UndeclaredCall')).toHaveLength(2);
  });

  it('passes a declared call, with Service Connect and a path on the callee port only', () => {
    const config = cruddur((c) => {
      c.services.frontend!.calls = ['backend'];
      return c;
    });
    const report = run(synthesize(config).appJson as Template, config);
    expect(report.findings).toEqual([]);
    expect(report.paths).toContainEqual(
      expect.objectContaining({
        rule: 'Reachability-ServiceCall',
        from: 'frontend',
        to: 'backend on TCP 4567',
        ok: true,
      }),
    );
    expect(report.paths).toContainEqual(
      expect.objectContaining({ rule: 'Reachability-UndeclaredCall', from: 'backend', ok: true }),
    );
  });
});

describe('each hop kind drops a path and is named', () => {
  it('route: a private subnet without a default route cannot reach CloudWatch Logs', () => {
    const { config, template } = variant('nat-gateway');
    for (const id of ids(template, 'AWS::EC2::Route', 'NetworkVpcPrivateSubnet'))
      delete template.Resources[id];
    const report = run(template, config);
    const logs = report.findings.find((f) => f.rule === 'Reachability-Logs')!;
    expect(logs.message).toContain('dropped at route');
    expect(logs.resource).toMatch(/PrivateSubnet1RouteTable/);
    // The gateway endpoints still carry S3 and DynamoDB.
    expect(report.findings.filter((f) => f.rule === 'Reachability-EcrLayers')).toEqual([]);
    expect(report.findings.filter((f) => f.rule === 'Reachability-DynamoDb')).toEqual([]);
  });

  it('endpoint policy: a closed S3 policy drops ECR layer downloads', () => {
    const { config, template } = variant('endpoints');
    const s3 = ids(template, 'AWS::EC2::VPCEndpoint', 'NetworkVpcS3')[0]!;
    template.Resources[s3]!.Properties.PolicyDocument = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' },
      ],
    };
    const layers = run(template, config).findings.filter((f) => f.rule === 'Reachability-EcrLayers');
    expect(layers).toHaveLength(2);
    expect(layers[0]!.message).toContain('dropped at endpoint-policy');
    expect(layers[0]!.resource).toBe(`Cruddur/${s3}`);
  });

  it("endpoint policy: an account condition on ECR's layer bucket drops the layers (AWS signs those URLs)", () => {
    const { config, template } = variant('nat-gateway');
    const s3 = ids(template, 'AWS::EC2::VPCEndpoint', 'NetworkVpcS3')[0]!;
    template.Resources[s3]!.Properties.PolicyDocument.Statement[0].Condition = {
      StringEquals: { 'aws:PrincipalAccount': '123456789012' },
    };
    const f = run(template, config).findings;
    expect(f.map((x) => x.rule)).toEqual(['Reachability-EcrLayers', 'Reachability-EcrLayers']);
    expect(f[0]!.message).toContain('prod-us-east-1-starport-layer-bucket');
  });

  it('endpoint policy: an explicit deny wins over an allow', () => {
    const { config, template } = variant('endpoints');
    const logs = ids(template, 'AWS::EC2::VPCEndpoint', 'NetworkVpcLogs')[0]!;
    template.Resources[logs]!.Properties.PolicyDocument.Statement.push({
      Effect: 'Deny',
      Principal: '*',
      Action: 'logs:PutLogEvents',
      Resource: '*',
    });
    expect(run(template, config).findings.map((f) => f.rule)).toEqual([
      'Reachability-Logs',
      'Reachability-Logs',
    ]);
  });

  it('endpoint policy: the interface endpoints admit this account and no other', () => {
    const { config, template } = variant('endpoints');
    const report = checkReachability(template, {
      env: { ...env, account: '210987654321' },
      stack: 'Cruddur',
      services: declared(config),
    });
    expect(report.findings.some((f) => f.message.includes('dropped at endpoint-policy'))).toBe(true);
  });

  it('security group ingress: the NAT instance group without ingress drops everything it should forward', () => {
    const { config, template } = variant('nat-instance');
    const nat = ids(template, 'AWS::EC2::SecurityGroup', 'NetworkVpcNatSecurityGroup')[0]!;
    for (const id of ids(template, 'AWS::EC2::SecurityGroupIngress'))
      if (template.Resources[id]!.Properties.GroupId['Fn::GetAtt'][0] === nat) delete template.Resources[id];
    const report = run(template, config);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) expect(f.resource).toBe(`Cruddur/${nat}`);
  });

  it('security group ingress: an endpoint group that does not admit the tasks', () => {
    const { config, template } = variant('endpoints');
    for (const id of ids(template, 'AWS::EC2::SecurityGroupIngress', 'NetworkEndpointSecurityGroup'))
      delete template.Resources[id];
    const f = run(template, config).findings;
    expect(f.map((x) => x.rule)).toContain('Reachability-Logs');
    expect(f.every((x) => x.resource.startsWith('Cruddur/NetworkEndpointSecurityGroup'))).toBe(true);
  });

  it('security group egress: tasks that may not send HTTPS reach no AWS API', () => {
    const { config, template } = variant('nat-gateway');
    const backend = ids(template, 'AWS::EC2::SecurityGroup', 'BackendSecurityGroup')[0]!;
    template.Resources[backend]!.Properties.SecurityGroupEgress = [];
    const f = run(template, config).findings;
    expect(f.length).toBeGreaterThan(0);
    expect(
      f.every(
        (x) => x.message.includes('backend cannot reach') && x.message.includes('security-group-egress'),
      ),
    ).toBe(true);
  });

  it('nat instance: its source/destination check on drops forwarded packets', () => {
    const { config, template } = variant('nat-instance');
    const instance = ids(template, 'AWS::EC2::Instance')[0]!;
    template.Resources[instance]!.Properties.SourceDestCheck = true;
    const f = run(template, config).findings.find((x) => x.rule === 'Reachability-Logs')!;
    expect(f.message).toContain('dropped at nat-instance');
    expect(f.fix).toContain('SourceDestCheck: false');
  });

  it('nacl: a subnet ACL that allows HTTPS out but not the replies in', () => {
    const { config, template } = variant('nat-gateway');
    template.Resources.TestAcl = { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: { Ref: 'x' } } };
    const entry = (n: number, egress: boolean, from: number, to: number) => ({
      Type: 'AWS::EC2::NetworkAclEntry',
      Properties: {
        NetworkAclId: { Ref: 'TestAcl' },
        RuleNumber: n,
        Protocol: 6,
        RuleAction: 'allow',
        Egress: egress,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: from, To: to },
      },
    });
    template.Resources.TestOut = entry(100, true, 443, 443);
    template.Resources.TestIn = entry(100, false, 3000, 4567);
    for (const subnet of ids(template, 'AWS::EC2::Subnet', 'NetworkVpcPrivate'))
      template.Resources[`Assoc${subnet}`] = {
        Type: 'AWS::EC2::SubnetNetworkAclAssociation',
        Properties: { SubnetId: { Ref: subnet }, NetworkAclId: { Ref: 'TestAcl' } },
      };
    const f = run(template, config).findings;
    const logs = f.find((x) => x.rule === 'Reachability-Logs')!;
    expect(logs.message).toContain('dropped at nacl');
    expect(logs.message).toContain('inbound TCP 1024-65535');
    expect(logs.resource).toBe('Cruddur/TestAcl');
    // The load balancer's replies leave through the same ACL: no rule lets them out.
    expect(f.find((x) => x.rule === 'Reachability-LoadBalancer')?.message).toContain(
      'outbound TCP 1024-65535',
    );
  });

  it('public ip: tasks in a public subnet without a public IP reach nothing', () => {
    const { config, template } = variant('public-tasks');
    for (const id of ids(template, 'AWS::ECS::Service'))
      template.Resources[id]!.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp = 'DISABLED';
    const f = run(template, config).findings.find((x) => x.rule === 'Reachability-Ecr')!;
    expect(f.message).toContain('dropped at public-ip');
  });

  it('load balancer: an ALB group without egress to the targets', () => {
    const { config, template } = variant('nat-gateway');
    for (const id of ids(template, 'AWS::EC2::SecurityGroupEgress', 'EdgeSecurityGroup'))
      delete template.Resources[id];
    // CDK's placeholder for "no egress": a group with no egress rules at all would get AWS's allow-all.
    const alb = ids(template, 'AWS::EC2::SecurityGroup', 'EdgeSecurityGroup')[0]!;
    template.Resources[alb]!.Properties.SecurityGroupEgress = [
      { CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 },
    ];
    const f = run(template, config).findings.filter((x) => x.rule === 'Reachability-LoadBalancer');
    expect(f).toHaveLength(2);
    expect(f[0]!.message).toContain('security-group-egress');
  });

  it('endpoints mode without the KMS endpoint: exec cannot decrypt its sessions', () => {
    const { config, template } = variant('endpoints');
    for (const id of ids(template, 'AWS::EC2::VPCEndpoint', 'NetworkVpcKms')) delete template.Resources[id];
    const f = run(template, config).findings;
    expect(f.map((x) => x.rule)).toEqual(['Reachability-Exec', 'Reachability-Exec']);
    expect(f[0]!.message).toContain('KMS');
    expect(f[0]!.message).toContain('dropped at route');
  });
});

describe('paths that must not exist', () => {
  it('an undeclared call: the callee admits a service that does not declare it', () => {
    const config = cruddur((c) => {
      c.services.frontend!.calls = ['backend'];
      return c;
    });
    const report = run(synthesize(config).appJson as Template, config, { frontend: [] });
    const f = report.findings.find((x) => x.rule === 'Reachability-UndeclaredCall')!;
    expect(f.message).toContain('backend on TCP 4567 can be reached from frontend');
    expect(f.resource).toMatch(/^Cruddur\/BackendSecurityGroup/);
    expect(f.fix).toContain('services.frontend.calls');
  });

  it('a declared call the network does not carry', () => {
    const { config, template } = variant('nat-gateway');
    const report = run(template, config, { frontend: ['backend'] });
    const f = report.findings.find((x) => x.rule === 'Reachability-ServiceCall')!;
    // Nobody calls backend in the synthesized config, so it publishes nothing through Service Connect.
    expect(f.message).toContain('dropped at service-connect');
  });

  it('a task open to the internet other than through the load balancer', () => {
    const { config, template } = variant('public-tasks');
    const frontend = ids(template, 'AWS::EC2::SecurityGroup', 'FrontendSecurityGroup')[0]!;
    template.Resources[frontend]!.Properties.SecurityGroupIngress = [
      { IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, CidrIp: '0.0.0.0/0' },
    ];
    const f = run(template, config).findings;
    expect(f.map((x) => x.rule)).toEqual(['Reachability-InternetExposure']);
    expect(f[0]!.resource).toBe(`Cruddur/${frontend}`);
  });

  it('the same open group behind private subnets is not reachable from the internet', () => {
    const { config, template } = variant('nat-gateway');
    const frontend = ids(template, 'AWS::EC2::SecurityGroup', 'FrontendSecurityGroup')[0]!;
    template.Resources[frontend]!.Properties.SecurityGroupIngress = [
      { IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, CidrIp: '0.0.0.0/0' },
    ];
    expect(run(template, config).findings).toEqual([]);
  });
});
