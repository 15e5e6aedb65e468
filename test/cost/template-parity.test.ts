import { describe, expect, it } from 'vitest';
import type { BerthConfig, EgressStrategy } from '../../src/config/index.ts';
import { estimateCost, loadPriceTable } from '../../src/cost/index.ts';
import { cruddur, synthesize } from '../fixtures.ts';

const prices = loadPriceTable('us-east-1');

/** What the estimate counts must be what the synthesized template creates. */
describe('the estimate counts what the template creates', () => {
  it('interface endpoints: the same services, one per AZ', () => {
    const config = cruddur((c): BerthConfig => ({
      ...c,
      guardDuty: true,
      network: { ...c.network, egress: 'endpoints' },
      services: {
        ...c.services,
        backend: {
          ...c.services.backend!,
          secrets: { A: { ssm: '/cruddur/a' }, B: { secretsManager: 'cruddur/b' } },
        },
      },
    }));
    const { appJson } = synthesize(config);
    const created = Object.values(appJson.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface')
      .map((r) => String(r.Properties.ServiceName).replace('com.amazonaws.us-east-1.', ''))
      .sort();
    const line = estimateCost(config, { prices }).lines.find((l) => l.id === 'endpoint-hours')!;
    expect(line.note!.split(', ').sort()).toEqual(created);
    expect(line.quantity).toBe(created.length * config.network.azs * 730);
  });

  for (const egress of ['nat-gateway', 'nat-instance', 'public-tasks'] as EgressStrategy[]) {
    it(`${egress}: NAT gateways, NAT instances and public task addresses`, () => {
      const config = cruddur((c) => ({ ...c, network: { ...c.network, egress } }));
      const { appJson } = synthesize(config);
      const resources = Object.values(appJson.Resources as Record<string, any>);
      const count = (type: string) => resources.filter((r) => r.Type === type).length;
      const e = estimateCost(config, { prices });
      const qty = (id: string) => e.lines.find((l) => l.id === id)?.quantity ?? 0;
      expect(qty('nat-gateway-hours') / 730).toBe(count('AWS::EC2::NatGateway'));
      expect(qty('nat-instance-hours') / 730).toBe(count('AWS::EC2::Instance'));
      const publicTasks = resources
        .filter((r) => r.Type === 'AWS::ECS::Service')
        .filter((r) => r.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp === 'ENABLED')
        .reduce((n, r) => n + r.Properties.DesiredCount, 0);
      expect(qty('ipv4-tasks') / 730).toBe(publicTasks);
    });
  }

  it('rollback alarms: as many alarm metrics per traffic-shifting service as its alarms evaluate', () => {
    const config = cruddur((c) => ({
      ...c,
      services: { ...c.services, backend: { ...c.services.backend!, release: { strategy: 'linear' } } },
    }));
    const { appJson } = synthesize(config);
    const evaluated = Object.values(appJson.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .filter((r) => String(r.Properties.AlarmName).startsWith('cruddur-prod-backend-release-'))
      .flatMap((r) => r.Properties.Metrics.filter((m: any) => m.MetricStat));
    const line = estimateCost(config, { prices }).lines.find((l) => l.id === 'release-alarms:backend')!;
    expect(line.quantity).toBe(evaluated.length);
  });
});
