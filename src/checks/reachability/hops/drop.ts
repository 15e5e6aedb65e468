/** Where a path stops: the hop kind, the resource that drops it, why, and what would let it through. */
export interface Drop {
  readonly hop:
    | 'route'
    | 'security-group-egress'
    | 'security-group-ingress'
    | 'nacl'
    | 'endpoint-policy'
    | 'public-ip'
    | 'nat-instance'
    | 'service-connect';
  /** Logical id of the resource at that hop. */
  readonly resource: string;
  readonly reason: string;
  readonly fix: string;
}
