export {
  check,
  checkStages,
  type CheckOptions,
  type CheckResult,
  type StageCheckResult,
  type StagesCheckResult,
} from './check.ts';
export {
  checkReachability,
  type DeclaredService,
  type PathResult,
  type ReachabilityReport,
} from './reachability/index.ts';
export { CfnLintUnavailableError, lintTemplates } from './cfn-lint.ts';
export type { AcknowledgedFinding, Finding } from './findings.ts';
export { declaredAcknowledgements, findingsFromValidationReport } from './validation-report.ts';
