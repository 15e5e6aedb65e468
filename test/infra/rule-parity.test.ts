import { describe, expect, it } from 'vitest';
import { edgeRules } from '../../src/local/edge/rules.ts';
import { cruddur, synthesize } from '../fixtures.ts';

describe('the ALB and the local edge evaluate the same rules in the same order', () => {
  it('puts path rules first, then host rules, with the apex service as the default action', () => {
    const config = cruddur((c) => {
      c.services.admin = {
        ...structuredClone(c.services.backend!),
        route: { host: '@', paths: ['/admin/*'] },
        permissions: [],
      };
      return c;
    });
    const { appJson } = synthesize(config);
    const resources = Object.entries(appJson.Resources as Record<string, any>);
    const serviceOfTargetGroup = (ref: string) =>
      ref
        .replace(/^Edge/, '')
        .replace(/Targets.*$/, '')
        .toLowerCase();
    const albOrder = resources
      .filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .sort(([, a], [, b]) => a.Properties.Priority - b.Properties.Priority)
      .map(([, r]) => serviceOfTargetGroup(r.Properties.Actions[0].TargetGroupArn.Ref));
    const albDefault = resources.find(
      ([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === 443,
    )![1].Properties.DefaultActions[0].TargetGroupArn.Ref;

    const local = edgeRules(config);
    expect(albOrder).toEqual(['admin', 'backend']);
    expect(local.rules.map((r) => r.service)).toEqual(albOrder);
    expect(serviceOfTargetGroup(albDefault)).toBe('frontend');
    expect(local.fallback).toBe('frontend');
  });
});
