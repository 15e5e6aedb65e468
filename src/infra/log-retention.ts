import type * as logs from 'aws-cdk-lib/aws-logs';
import { acknowledge } from './acknowledge.ts';

/** Control Tower's CT.CLOUDWATCH.PR.2 wants a year of retention. */
const CONTROL_TOWER_DAYS = 365;

/**
 * Acknowledges CT.CLOUDWATCH.PR.2 on one log group whose retention is below a year, with the
 * config field that set it, so the exception names the group it is true for and disappears
 * when that field is raised.
 */
export function acknowledgeShortRetention(
  logGroup: logs.ILogGroup,
  days: number,
  field: 'logs.retentionDays' | 'logs.securityRetentionDays',
  what: string,
): void {
  if (days >= CONTROL_TOWER_DAYS) return;
  acknowledge(logGroup, {
    'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check': `${what} are kept ${field} = ${days} days to keep storage cheap; set ${CONTROL_TOWER_DAYS} or more to meet CT.CLOUDWATCH.PR.2.`,
  });
}
