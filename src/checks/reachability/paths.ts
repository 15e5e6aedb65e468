import type { Drop } from './hops/drop.ts';
import { policyAllows } from './hops/endpoint-policy.ts';
import { EPHEMERAL, flowThroughNacls, naclAllows } from './hops/nacls.ts';
import { routeFor } from './hops/routes.ts';
import { egressAllows, type Endpoint, ingressAllows, type Mode } from './hops/security-groups.ts';
import type { NetworkModel } from './model.ts';
import type { Resolver } from '../../shared/template-resolver.ts';
import type { AwsNeed } from './workloads.ts';

/** Stands for the public addresses of AWS services and the internet: an address outside any VPC. */
export const PUBLIC_ADDRESS = '52.94.0.10/32';

export interface Context {
  readonly model: NetworkModel;
  readonly resolver: Resolver;
}

/** Tasks (or the load balancer) in a set of subnets, carrying a set of security groups. */
export interface Placement {
  readonly label: string;
  readonly subnets: readonly string[];
  readonly groups: readonly string[];
}

/** One subnet of a placement, as one side of a flow. */
function at(ctx: Context, p: Placement, subnet: string): Endpoint & { subnet: string } {
  return {
    cidr: ctx.model.subnets.get(subnet)?.cidr ?? '0.0.0.0/32',
    groups: p.groups,
    label: p.label,
    subnet,
  };
}

/** One direct TCP flow inside the VPC: egress, the NACL boundaries, ingress. */
function flow(
  ctx: Context,
  from: Endpoint & { subnet: string },
  to: Endpoint & { subnet: string },
  port: number,
  mode: Mode,
  roles: readonly [string, string],
): Drop | undefined {
  return (
    egressAllows(ctx.model, from, to, port, mode, roles[0]) ??
    flowThroughNacls(ctx.model, from, to, port, mode) ??
    ingressAllows(ctx.model, from, to, port, mode, roles[1])
  );
}

/**
 * From every subnet of `from` to every subnet of `to` on `port`. In 'all' mode the first failing
 * pair is the answer; in 'any' mode the path exists when one pair passes (undefined), and the
 * first drop is returned otherwise.
 */
export function between(
  ctx: Context,
  from: Placement,
  to: Placement,
  port: number,
  mode: Mode,
  roles: readonly [string, string],
): Drop | undefined {
  let first: Drop | undefined;
  for (const a of from.subnets) {
    for (const b of to.subnets) {
      const drop = flow(ctx, at(ctx, from, a), at(ctx, to, b), port, mode, roles);
      if (mode === 'all' && drop) return drop;
      if (mode === 'any' && !drop) return undefined;
      first ??= drop;
    }
  }
  return first;
}

function policyDrop(
  ctx: Context,
  endpoint: { id: string; policy?: unknown },
  need: AwsNeed,
): Drop | undefined {
  if (policyAllows(endpoint.policy as never, ctx.resolver, need.request)) return undefined;
  const { action, resource } = need.request;
  return {
    hop: 'endpoint-policy',
    resource: endpoint.id,
    reason: `the policy of VPC endpoint ${endpoint.id} does not allow ${action} on ${resource}`,
    fix: `allow ${action} on ${resource} for this account's principals in the policy of ${endpoint.id}`,
  };
}

/**
 * How a task in `subnet` reaches an AWS API, in the order AWS decides it: an interface endpoint
 * with private DNS answers the name first; else the route table's gateway endpoint (a prefix-list
 * route, more specific than any default route); else the longest matching route.
 */
export function toAwsApi(
  ctx: Context,
  tasks: Placement & { publicIp: boolean },
  subnet: string,
  need: AwsNeed,
): Drop | undefined {
  const { model } = ctx;
  const task = at(ctx, tasks, subnet);
  const role = `${tasks.label}'`;
  const iface = model.endpoints.find((e) => e.type === 'Interface' && e.service === need.api && e.privateDns);
  if (iface) {
    for (const s of iface.subnets) {
      const endpoint = {
        cidr: model.subnets.get(s)?.cidr ?? '0.0.0.0/32',
        groups: iface.securityGroups,
        label: `the ${need.label} endpoint`,
        subnet: s,
      };
      const drop = flow(ctx, task, endpoint, 443, 'all', [role, `${iface.id} endpoint`]);
      if (drop) return drop;
    }
    return policyDrop(ctx, iface, need);
  }

  const table = model.subnets.get(subnet)?.routeTable;
  const gateway = model.endpoints.find(
    (e) => e.type === 'Gateway' && e.service === need.api && !!table && e.routeTables.includes(table),
  );
  const aws: Endpoint = {
    cidr: PUBLIC_ADDRESS,
    groups: [],
    label: need.label,
    ...(gateway ? { prefixList: true } : {}),
  };
  const out = (mode: Mode = 'all') =>
    egressAllows(model, task, aws, 443, mode, role) ??
    naclAllows(
      model,
      { subnet, egress: true, remote: PUBLIC_ADDRESS, ports: { from: 443, to: 443 } },
      mode,
    ) ??
    naclAllows(model, { subnet, egress: false, remote: PUBLIC_ADDRESS, ports: EPHEMERAL }, mode);
  if (gateway) return out() ?? policyDrop(ctx, gateway, need);

  const route = routeFor(model, subnet, PUBLIC_ADDRESS);
  if (!route) {
    return {
      hop: 'route',
      resource: table ?? subnet,
      reason: `route table ${table ?? '(none)'} of subnet ${subnet} has no route to ${need.label}: no default route, no gateway endpoint, no interface endpoint with private DNS`,
      fix: `add a ${need.api} VPC endpoint, or a default route to a NAT, for subnet ${subnet}`,
    };
  }
  switch (route.target.kind) {
    case 'internet-gateway':
      if (!tasks.publicIp)
        return {
          hop: 'public-ip',
          resource: subnet,
          reason: `subnet ${subnet} routes to the internet gateway, but ${tasks.label} get no public IP`,
          fix: 'give the tasks public IPs (network.egress: public-tasks) or route the subnet through a NAT',
        };
      return out();
    case 'nat-gateway': {
      const nat = model.natGateways.get(route.target.id);
      return out() ?? throughNat(ctx, task, nat?.subnet ?? '', route.target.id);
    }
    case 'instance': {
      const nat = model.natInstances.get(route.target.id);
      if (!nat)
        return {
          hop: 'route',
          resource: route.id,
          reason: `route ${route.id} points at instance ${route.target.id}, which is not in the template`,
          fix: 'route through a NAT defined in this stack',
        };
      if (nat.sourceDestCheck)
        return {
          hop: 'nat-instance',
          resource: nat.id,
          reason: `NAT instance ${nat.id} has its source/destination check on, so it drops the packets it should forward`,
          fix: `set SourceDestCheck: false on ${nat.id}`,
        };
      const natSide = {
        cidr: model.subnets.get(nat.subnet)?.cidr ?? '0.0.0.0/32',
        groups: nat.securityGroups,
        label: `NAT instance ${nat.id}`,
        subnet: nat.subnet,
      };
      return (
        out() ??
        ingressAllows(model, task, natSide, 443, 'all', 'NAT instance') ??
        egressAllows(
          model,
          natSide,
          { cidr: PUBLIC_ADDRESS, groups: [], label: need.label },
          443,
          'all',
          'NAT instance',
        ) ??
        (nat.publicIp
          ? undefined
          : {
              hop: 'nat-instance',
              resource: nat.id,
              reason: `NAT instance ${nat.id} has no public IP`,
              fix: `associate a public IP with ${nat.id}'s network interface`,
            }) ??
        throughNat(ctx, task, nat.subnet, nat.id)
      );
    }
    default:
      return {
        hop: 'route',
        resource: route.id,
        reason: `route ${route.id} sends ${need.label} traffic to ${route.target.id}, which this check cannot follow`,
        fix: 'route through an internet gateway, a NAT gateway or a NAT instance in this stack',
      };
  }
}

/** The NAT's own subnet: its NACL both ways for the task's traffic and the reply, and a route to the internet gateway. */
function throughNat(
  ctx: Context,
  task: Endpoint & { subnet: string },
  natSubnet: string,
  nat: string,
): Drop | undefined {
  const { model } = ctx;
  const https = { from: 443, to: 443 };
  const crossing = (egress: boolean, remote: string, ports: { from: number; to: number }) =>
    naclAllows(model, { subnet: natSubnet, egress, remote, ports }, 'all');
  const drop =
    crossing(false, task.cidr, https) ??
    crossing(true, PUBLIC_ADDRESS, https) ??
    crossing(false, PUBLIC_ADDRESS, EPHEMERAL) ??
    crossing(true, task.cidr, EPHEMERAL);
  if (drop) return drop;
  const route = routeFor(model, natSubnet, PUBLIC_ADDRESS);
  if (route?.target.kind !== 'internet-gateway')
    return {
      hop: 'route',
      resource: model.subnets.get(natSubnet)?.routeTable ?? natSubnet,
      reason: `the subnet of ${nat} (${natSubnet}) has no default route to an internet gateway`,
      fix: `add a 0.0.0.0/0 route to the internet gateway in the route table of ${natSubnet}`,
    };
  return undefined;
}
