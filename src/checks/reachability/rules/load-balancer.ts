import type { Props } from '../../../shared/template-resolver.ts';
import { between, type Placement } from '../paths.ts';
import type { PathResult, ReachabilityRule } from './rule.ts';
import { tasksOf } from './rule.ts';

/** The load balancer that forwards to a target group, through a listener's default action or a rule. */
function loadBalancerOf(
  ctx: Parameters<ReachabilityRule>[0]['ctx'],
  targetGroup: string,
): string | undefined {
  const r = ctx.resolver;
  const forwards = (actions: unknown) =>
    ((actions as Props[] | undefined) ?? []).some(
      (a) =>
        r.target(a.TargetGroupArn) === targetGroup ||
        ((a.ForwardConfig?.TargetGroups as Props[] | undefined) ?? []).some(
          (t) => r.target(t.TargetGroupArn) === targetGroup,
        ),
    );
  for (const id of r.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
    const p = r.resource(id)!.Properties ?? {};
    if (forwards(p.DefaultActions)) return r.target(p.LoadBalancerArn);
  }
  for (const id of r.ofType('AWS::ElasticLoadBalancingV2::ListenerRule')) {
    const p = r.resource(id)!.Properties ?? {};
    if (!forwards(p.Actions)) continue;
    const listener = r.resource(r.target(p.ListenerArn) ?? '')?.Properties ?? {};
    return r.target(listener.LoadBalancerArn);
  }
  return undefined;
}

/** The load balancer must reach each of its targets on the target's port (traffic and health checks). */
export const loadBalancerReachesTargets: ReachabilityRule = ({ ctx, workloads }) => {
  const results: PathResult[] = [];
  for (const w of workloads) {
    for (const target of w.targets) {
      const lb = loadBalancerOf(ctx, target.targetGroup);
      if (!lb) continue;
      const p = ctx.resolver.resource(lb)!.Properties ?? {};
      const alb: Placement = {
        label: `load balancer ${lb}`,
        subnets: ctx.resolver.targets(p.Subnets),
        groups: ctx.resolver.targets(p.SecurityGroups),
      };
      const drop = between(ctx, alb, tasksOf(w), target.port, 'all', ['load balancer', `${w.id} task`]);
      results.push({
        rule: 'Reachability-LoadBalancer',
        from: alb.label,
        to: `${w.id} tasks on TCP ${target.port}`,
        expect: 'open',
        ok: !drop,
        ...(drop ? { hop: drop } : {}),
      });
    }
  }
  return results;
};
