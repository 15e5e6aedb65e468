import type { Resolver } from '../../../shared/template-resolver.ts';

export interface PolicyDocument {
  readonly Statement: unknown;
}

/** One call a task makes through an endpoint, with the request context its policy can test. */
export interface ApiRequest {
  readonly action: string;
  readonly resource: string;
  /** Undefined when the call is signed by AWS itself (ECR's presigned layer URLs). */
  readonly principalAccount?: string;
  /** Undefined for resources AWS owns (ECR's layer bucket). */
  readonly resourceAccount?: string;
}

interface Statement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseInsensitive ? 'i' : '',
  );
  return re.test(value);
}

function principalMatches(principal: unknown, r: Resolver, account: string | undefined): boolean {
  if (principal === undefined) return true;
  if (principal === '*') return true;
  if (account === undefined) return r.strs((principal as { AWS?: unknown }).AWS).includes('*');
  const aws = (principal as { AWS?: unknown }).AWS;
  return r
    .strs(aws)
    .some(
      (p) =>
        p === '*' || p === account || p === `arn:aws:iam::${account}:root` || p.includes(`::${account}:`),
    );
}

function conditionsHold(conditions: Statement['Condition'], r: Resolver, req: ApiRequest): boolean {
  if (!conditions) return true;
  const context: Record<string, string | undefined> = {
    'aws:principalaccount': req.principalAccount,
    'aws:resourceaccount': req.resourceAccount,
  };
  return Object.entries(conditions).every(([operator, tests]) => {
    const ifExists = operator.endsWith('IfExists');
    const op = operator.replace(/IfExists$/, '');
    return Object.entries(tests).every(([key, expected]) => {
      const actual = context[key.toLowerCase()];
      if (actual === undefined) return ifExists && key.toLowerCase() in context;
      const values = r.strs(expected);
      switch (op) {
        case 'StringEquals':
        case 'ArnEquals':
          return values.includes(actual);
        case 'StringNotEquals':
          return !values.includes(actual);
        case 'StringLike':
        case 'ArnLike':
          return values.some((v) => wildcard(v, actual));
        default:
          // An operator this model does not read is not assumed to hold.
          return false;
      }
    });
  });
}

function statementMatches(s: Statement, r: Resolver, req: ApiRequest): boolean {
  if (!principalMatches(s.Principal, r, req.principalAccount)) return false;
  const actionOk =
    s.NotAction !== undefined
      ? !r.strs(s.NotAction).some((a) => wildcard(a, req.action, true))
      : r.strs(s.Action).some((a) => wildcard(a, req.action, true));
  if (!actionOk) return false;
  const resourceOk =
    s.NotResource !== undefined
      ? !r.strs(s.NotResource).some((p) => wildcard(p, req.resource))
      : r.strs(s.Resource).some((p) => wildcard(p, req.resource));
  return resourceOk && conditionsHold(s.Condition, r, req);
}

/**
 * IAM's evaluation for one request: an explicit deny wins, then an allow; nothing matching denies.
 * No policy at all is the endpoint's default, full access.
 */
export function policyAllows(policy: PolicyDocument | undefined, r: Resolver, req: ApiRequest): boolean {
  if (!policy) return true;
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Statement[];
  const matching = statements.filter((s) => statementMatches(s, r, req));
  if (matching.some((s) => s.Effect === 'Deny')) return false;
  return matching.some((s) => s.Effect === 'Allow');
}
