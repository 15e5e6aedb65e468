import { contains } from '../cidr.ts';
import { naclAllows } from '../hops/nacls.ts';
import { routeFor } from '../hops/routes.ts';
import { PUBLIC_ADDRESS } from '../paths.ts';
import type { PathResult, ReachabilityRule } from './rule.ts';

/**
 * No task may be reachable from the internet except through the load balancer: a task with a
 * public IP, in a subnet that routes to the internet gateway, whose security group admits an
 * address outside the VPC through its subnet's NACL, is.
 */
export const noInternetExposure: ReachabilityRule = ({ ctx, workloads }) => {
  const { model } = ctx;
  const results: PathResult[] = [];
  for (const w of workloads) {
    let exposed: PathResult['hop'];
    for (const subnet of w.publicIp ? w.subnets : []) {
      if (routeFor(model, subnet, PUBLIC_ADDRESS)?.target.kind !== 'internet-gateway') continue;
      for (const id of w.groups) {
        for (const rule of model.securityGroups.get(id)?.ingress ?? []) {
          if (rule.peer.kind !== 'cidr' || contains(model.vpcCidr, rule.peer.cidr)) continue;
          const ports = { from: rule.from, to: rule.to };
          const nacl = naclAllows(model, { subnet, egress: false, remote: rule.peer.cidr, ports }, 'any');
          if (nacl) continue;
          exposed ??= {
            hop: 'security-group-ingress',
            resource: id,
            reason: `${w.id} tasks have public IPs in ${subnet}, and ${id} admits ${rule.peer.cidr} on ${rule.protocol === '-1' ? 'all traffic' : `${rule.protocol.toUpperCase()} ${rule.from}-${rule.to}`}`,
            fix: `admit only the load balancer's security group on ${id}`,
          };
        }
      }
    }
    results.push({
      rule: 'Reachability-InternetExposure',
      from: 'the internet',
      to: `${w.id} tasks`,
      expect: 'closed',
      ok: !exposed,
      ...(exposed ? { hop: exposed } : {}),
    });
  }
  return results;
};
