// Kept apart from scan-gate.ts, which loads the ECR client: the CLI's renderers rank findings
// without calling ECR.
import type { FailOn } from '../deploy/steps.ts';

export const FAIL_ON_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'NONE'] as const satisfies readonly FailOn[];
export const DEFAULT_FAIL_ON: FailOn = 'CRITICAL';

/** ECR's severities, most severe first; anything else (UNDEFINED) ranks last. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;

export function severityRank(severity: string): number {
  const rank = SEVERITIES.indexOf(severity.toUpperCase() as (typeof SEVERITIES)[number]);
  return rank < 0 ? SEVERITIES.length : rank;
}

/** True when a finding of `severity` stops a deploy that fails on `failOn`; NONE never does. */
export function reaches(severity: string, failOn: FailOn): boolean {
  return failOn !== 'NONE' && severityRank(severity) <= severityRank(failOn);
}
