export {
  checkReachability,
  type DeclaredService,
  type ReachabilityOptions,
  type ReachabilityReport,
} from './reachability.ts';
export type { PathResult } from './rules/index.ts';
export type { Drop } from './hops/drop.ts';
export type { CfnTemplate } from '../../shared/template-resolver.ts';
