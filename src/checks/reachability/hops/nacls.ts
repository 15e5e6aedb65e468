import { contains, overlaps } from '../cidr.ts';
import type { NetworkModel } from '../model.ts';
import type { Drop } from './drop.ts';
import type { Mode } from './security-groups.ts';

/** The ports a client picks for its side of a TCP connection; return traffic goes back to them. */
export const EPHEMERAL = { from: 1024, to: 65535 } as const;

interface Crossing {
  readonly subnet: string;
  readonly egress: boolean;
  /** The address on the far side of this subnet boundary. */
  readonly remote: string;
  readonly ports: { readonly from: number; readonly to: number };
}

/**
 * Evaluates one subnet boundary the way a NACL does: entries in rule-number order, the first
 * that matches protocol, ports and address decides; none matching denies. A subnet without its
 * own NACL uses the VPC's default one, which allows everything.
 */
export function naclAllows(model: NetworkModel, crossing: Crossing, mode: Mode): Drop | undefined {
  const subnet = model.subnets.get(crossing.subnet);
  if (!subnet?.nacl) return undefined;
  const acl = model.nacls.get(subnet.nacl);
  if (!acl) return undefined;
  const { from, to } = crossing.ports;
  const entries = acl.entries.filter((e) => e.egress === crossing.egress).sort((a, b) => a.rule - b.rule);
  const direction = crossing.egress ? 'outbound' : 'inbound';
  const what = `TCP ${from === to ? from : `${from}-${to}`} ${crossing.egress ? 'to' : 'from'} ${crossing.remote}`;
  for (const e of entries) {
    if (e.protocol !== -1 && e.protocol !== 6) continue;
    const addressMatches =
      mode === 'all' ? contains(e.cidr, crossing.remote) : overlaps(e.cidr, crossing.remote);
    if (!addressMatches) continue;
    const portsCovered = e.from <= from && to <= e.to;
    const portsTouched = e.from <= to && from <= e.to;
    if (e.allow && portsCovered) return undefined;
    if (!e.allow && portsTouched) {
      return {
        hop: 'nacl',
        resource: acl.id,
        reason: `network ACL ${acl.id} of subnet ${subnet.id} denies ${direction} ${what} (rule ${e.rule})`,
        fix: `allow ${direction} ${what} in ${acl.id} before rule ${e.rule}`,
      };
    }
  }
  return {
    hop: 'nacl',
    resource: acl.id,
    reason: `network ACL ${acl.id} of subnet ${subnet.id} has no rule that allows ${direction} ${what}`,
    fix: `add an ${direction} allow entry for ${what} to ${acl.id}`,
  };
}

/**
 * The four boundaries of a TCP flow between two subnets: out of the client's, into the server's,
 * and the stateless return through both. Within one subnet no NACL applies.
 */
export function flowThroughNacls(
  model: NetworkModel,
  client: { readonly subnet: string; readonly cidr: string },
  server: { readonly subnet?: string; readonly cidr: string },
  port: number,
  mode: Mode,
): Drop | undefined {
  if (client.subnet === server.subnet) return undefined;
  const single = { from: port, to: port };
  return (
    naclAllows(model, { subnet: client.subnet, egress: true, remote: server.cidr, ports: single }, mode) ??
    naclAllows(
      model,
      { subnet: client.subnet, egress: false, remote: server.cidr, ports: EPHEMERAL },
      mode,
    ) ??
    (server.subnet
      ? (naclAllows(
          model,
          { subnet: server.subnet, egress: false, remote: client.cidr, ports: single },
          mode,
        ) ??
        naclAllows(
          model,
          { subnet: server.subnet, egress: true, remote: client.cidr, ports: EPHEMERAL },
          mode,
        ))
      : undefined)
  );
}
