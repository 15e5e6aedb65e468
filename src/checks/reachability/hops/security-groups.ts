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

/** The first of `groups` with a `direction` rule for TCP `port` whose peer is `other`. */
function firstGroupAllowing(
  model: NetworkModel,
  groups: readonly string[],
  direction: 'ingress' | 'egress',
  other: Endpoint,
  port: number,
  mode: Mode,
): string | undefined {
  return groups.find((id) =>
    model.securityGroups
      .get(id)
      ?.[direction].some((r) => portMatches(r, port) && peerMatches(r, other, mode)),
  );
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
  if (
    from.groups.length === 0 ||
    firstGroupAllowing(model, from.groups, 'egress', to, port, mode) !== undefined
  )
    return undefined;
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
  return firstGroupAllowing(model, to.groups, 'ingress', from, port, mode);
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
  if (to.groups.length === 0 || admittingGroup(model, from, to, port, mode) !== undefined) return undefined;
  return {
    hop: 'security-group-ingress',
    resource: to.groups[0]!,
    reason: `the ${role} security group admits nothing from ${from.label} on TCP ${port}`,
    fix: `add an ingress rule for TCP ${port} from ${from.label}${from.groups[0] ? ` (${from.groups[0]})` : ''} on ${to.groups[0]}`,
  };
}
