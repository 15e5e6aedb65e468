import { awsApisReachable } from './aws-apis.ts';
import { noInternetExposure } from './internet-exposure.ts';
import { loadBalancerReachesTargets } from './load-balancer.ts';
import type { ReachabilityRule } from './rule.ts';
import { serviceCalls } from './service-calls.ts';

export const RULES: readonly ReachabilityRule[] = [
  awsApisReachable,
  loadBalancerReachesTargets,
  serviceCalls,
  noInternetExposure,
];
export type { PathResult, RuleInput } from './rule.ts';
