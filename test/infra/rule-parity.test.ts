import { describe, expect, it } from 'vitest';
import { NOT_FOUND } from '../../src/config/routing.ts';
import { edgeRules, route } from '../../src/local/edge/rules.ts';
import { cruddur, synthesize } from '../fixtures.ts';

describe('the ALB and the local edge evaluate the same rules in the same order', () => {
  // GIVEN the reference config with a path rule on the apex as well
  const config = cruddur((c) => {
    c.services.admin = {
      ...structuredClone(c.services.backend!),
      route: { host: '@', paths: ['/admin/*'] },
      permissions: [],
    };
    return c;
  });
  // WHEN both sides are built from it
  const { appJson } = synthesize(config);
  const resources = Object.entries(appJson.Resources as Record<string, any>);
  const serviceOfTargetGroup = (ref: string) =>
    ref
      .replace(/^Edge/, '')
      .replace(/Targets.*$/, '')
      .toLowerCase();
  const albRules = resources
    .filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .sort(([, a], [, b]) => a.Properties.Priority - b.Properties.Priority)
    .map(([, r]) => ({
      service: serviceOfTargetGroup(r.Properties.Actions[0].TargetGroupArn.Ref),
      host: r.Properties.Conditions.find((c: any) => c.Field === 'host-header').HostHeaderConfig.Values[0],
    }));
  const albDefault = resources.find(
    ([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === 443,
  )![1].Properties.DefaultActions;
  const local = edgeRules(config);

  it('puts path rules first, then host rules, then the apex host rule', () => {
    // THEN both list the same services in the same order, the apex service last
    expect(albRules.map((r) => r.service)).toEqual(['admin', 'backend', 'frontend']);
    expect([...local.rules.map((r) => r.service), local.fallback]).toEqual(albRules.map((r) => r.service));
    expect(albRules.at(-1)!.host).toBe('cruddur.example.com');
  });

  it('answers a host no rule names with the same fixed 404 on both sides', () => {
    // THEN the ALB's default action is the fixed 404, not a forward to any service
    expect(albDefault).toEqual([
      {
        Type: 'fixed-response',
        FixedResponseConfig: {
          StatusCode: String(NOT_FOUND.status),
          ContentType: NOT_FOUND.contentType,
          MessageBody: NOT_FOUND.body,
        },
      },
    ]);
    // AND the local edge sends an unknown name under its domain to the 404 as well,
    expect(route(local, 'unknown.cruddur.localhost', '/')).toBeUndefined();
    // while the apex still reaches the apex service through its rule
    expect(route(local, 'cruddur.localhost', '/')).toBe('frontend');
  });
});
