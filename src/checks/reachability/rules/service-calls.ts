import type { Drop } from '../hops/drop.ts';
import { admittingGroup } from '../hops/security-groups.ts';
import { between, type Context } from '../paths.ts';
import type { Workload } from '../workloads.ts';
import { type PathResult, type ReachabilityRule, tasksOf } from './rule.ts';

/** The callee's group that admits the caller from one of its subnets. */
function admitting(ctx: Context, from: Workload, to: Workload): string | undefined {
  for (const subnet of from.subnets) {
    const cidr = ctx.model.subnets.get(subnet)?.cidr ?? '0.0.0.0/32';
    const group = admittingGroup(
      ctx.model,
      { cidr, groups: from.groups, label: from.id },
      { cidr: '0.0.0.0/32', groups: to.groups, label: to.id },
      to.port,
      'any',
    );
    if (group) return group;
  }
  return undefined;
}

function serviceConnectDrop(from: Workload, to: Workload): Drop | undefined {
  if (!to.serviceConnect.enabled || !to.serviceConnect.publishes.includes(to.port))
    return {
      hop: 'service-connect',
      resource: to.logicalId,
      reason: `${to.id} does not publish port ${to.port} through Service Connect`,
      fix: `give ${to.id} a Service Connect service for its port`,
    };
  if (!from.serviceConnect.enabled || from.serviceConnect.namespace !== to.serviceConnect.namespace)
    return {
      hop: 'service-connect',
      resource: from.logicalId,
      reason: `${from.id} is not a Service Connect client in ${to.id}'s namespace`,
      fix: `enable Service Connect on ${from.id} in namespace ${to.serviceConnect.namespace ?? '(none)'}`,
    };
  return undefined;
}

/**
 * A declared call (`calls: [...]`) must work: Service Connect on both ends, and a network path on
 * the callee's port. Any other pair of services must have no path at all: a service reached
 * directly bypasses the load balancer and its WAF.
 */
export const serviceCalls: ReachabilityRule = ({ ctx, workloads, calls }) => {
  if (!calls) return [];
  const results: PathResult[] = [];
  for (const from of workloads) {
    for (const to of workloads) {
      if (from === to) continue;
      const declared = calls.get(from.id)?.includes(to.id) ?? false;
      const target = `${to.id} on TCP ${to.port}`;
      if (declared) {
        const drop =
          serviceConnectDrop(from, to) ??
          between(ctx, tasksOf(from), tasksOf(to), to.port, 'all', [`${from.id} task`, `${to.id} task`]);
        results.push({
          rule: 'Reachability-ServiceCall',
          from: from.id,
          to: target,
          expect: 'open',
          ok: !drop,
          ...(drop ? { hop: drop } : {}),
        });
      } else {
        const open = !between(ctx, tasksOf(from), tasksOf(to), to.port, 'any', [
          `${from.id} task`,
          `${to.id} task`,
        ]);
        results.push({
          rule: 'Reachability-UndeclaredCall',
          from: from.id,
          to: target,
          expect: 'closed',
          ok: !open,
          ...(open
            ? {
                hop: {
                  hop: 'security-group-ingress',
                  resource: admitting(ctx, from, to) ?? to.logicalId,
                  reason: `${to.id}'s security group admits ${from.id}'s tasks on TCP ${to.port}, but ${from.id} does not declare a call to ${to.id}`,
                  fix: `add '${to.id}' to services.${from.id}.calls if the call is real; else remove the rule that admits ${from.id}`,
                },
              }
            : {}),
        });
      }
    }
  }
  return results;
};
