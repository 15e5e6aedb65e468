import { contains, overlaps } from '../cidr.ts';
import type { NetworkModel, SgRule } from '../model.ts';
import type { Drop } from './drop.ts';

/** One side of a hop: the addresses it may use and the security groups it carries. */
export interface Endpoint {
  readonly cidr: string;
  readonly groups: readonly string[];
  /** A gateway endpoint's prefix list stands for this side (S3 or DynamoDB through the route table). */
  readonly prefixList?: boolean;
  /** Named in messages, e.g. `backend tasks`, `CloudWatch Logs`. */
  readonly label: string;
}

/**
 * 'all': the rule must cover every address the other side may use (a path that must work);
 * 'any': one address is enough (a path that must not exist).
 */
export type Mode = 'all' | 'any';

function portMatches(rule: SgRule, port: number): boolean {
  if (rule.protocol === '-1') return true;
  return rule.protocol === 'tcp' && rule.from <= port && port <= rule.to;
}

function peerMatches(rule: SgRule, other: Endpoint, mode: Mode): boolean {
  switch (rule.peer.kind) {
    case 'group':
      return other.groups.includes(rule.peer.group);
    case 'prefix-list':
      return other.prefixList === true;
    case 'cidr':
      return mode === 'all' ? contains(rule.peer.cidr, other.cidr) : overlaps(rule.peer.cidr, other.cidr);
  }
}

/** Whether one of `from`'s groups lets TCP `port` out to `to`; the drop names the first group. */
export function egressAllows(
  model: NetworkModel,
  from: Endpoint,
  to: Endpoint,
  port: number,
  mode: Mode,
  role: string,
): Drop | undefined {
  if (from.groups.length === 0) return undefined;
  for (const id of from.groups) {
    const group = model.securityGroups.get(id);
    if (group?.egress.some((r) => portMatches(r, port) && peerMatches(r, to, mode))) return undefined;
  }
  return {
    hop: 'security-group-egress',
    resource: from.groups[0]!,
    reason: `the ${role} security group lets nothing out to ${to.label} on TCP ${port}`,
    fix: `add an egress rule for TCP ${port} to ${to.label} on ${from.groups[0]}`,
  };
}

/** Which of `to`'s groups admits `from` on TCP `port`, if one does: the hop a path that must not exist goes through. */
export function admittingGroup(
  model: NetworkModel,
  from: Endpoint,
  to: Endpoint,
  port: number,
  mode: Mode,
): string | undefined {
  return to.groups.find((id) =>
    model.securityGroups.get(id)?.ingress.some((r) => portMatches(r, port) && peerMatches(r, from, mode)),
  );
}

/** Whether one of `to`'s groups lets TCP `port` in from `from`. */
export function ingressAllows(
  model: NetworkModel,
  from: Endpoint,
  to: Endpoint,
  port: number,
  mode: Mode,
  role: string,
): Drop | undefined {
  if (to.groups.length === 0) return undefined;
  for (const id of to.groups) {
    const group = model.securityGroups.get(id);
    if (group?.ingress.some((r) => portMatches(r, port) && peerMatches(r, from, mode))) return undefined;
  }
  return {
    hop: 'security-group-ingress',
    resource: to.groups[0]!,
    reason: `the ${role} security group admits nothing from ${from.label} on TCP ${port}`,
    fix: `add an ingress rule for TCP ${port} from ${from.label}${from.groups[0] ? ` (${from.groups[0]})` : ''} on ${to.groups[0]}`,
  };
}
