/** IPv4 ranges as [first, last] integers: enough to compare security-group, NACL and route CIDRs. */
export interface Range {
  readonly first: number;
  readonly last: number;
}

export function parseCidr(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** True when every address of `inner` lies in `outer`. */
export function contains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return !!a && !!b && a.first <= b.first && b.last <= a.last;
}

/** True when the two ranges share at least one address. */
export function overlaps(x: string, y: string): boolean {
  const a = parseCidr(x);
  const b = parseCidr(y);
  return !!a && !!b && a.first <= b.last && b.first <= a.last;
}

/** Prefix length, for longest-prefix route selection. */
export function prefixLength(cidr: string): number {
  return Number(cidr.split('/')[1] ?? 0);
}
