import type { Drop } from '../hops/drop.ts';
import type { Context } from '../paths.ts';
import type { Workload } from '../workloads.ts';

/** One path the check evaluated, failed or not, so `berth check --json` can show all of them. */
export interface PathResult {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  /** 'open': the path must work; 'closed': it must not exist. */
  readonly expect: 'open' | 'closed';
  readonly ok: boolean;
  /** An open path that fails: the hop that drops it. A closed path that exists: the hop that lets it through. */
  readonly hop?: Drop;
}

export interface RuleInput {
  readonly ctx: Context;
  readonly workloads: readonly Workload[];
  /** Calls each service declares (config ids); undefined when the check runs without a config. */
  readonly calls?: ReadonlyMap<string, readonly string[]>;
}

export type ReachabilityRule = (input: RuleInput) => PathResult[];

export function tasksOf(w: Workload) {
  return { label: `${w.id} tasks`, subnets: w.subnets, groups: w.groups, publicIp: w.publicIp };
}
