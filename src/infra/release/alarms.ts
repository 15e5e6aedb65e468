import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { acknowledge } from '../acknowledge.ts';
import { names } from '../naming.ts';

export interface ReleaseAlarmsProps {
  readonly config: ResolvedConfig;
  readonly service: ResolvedService;
  /** Both target groups: ECS swaps which one is production at every release. */
  readonly targetGroups: readonly [elbv2.ApplicationTargetGroup, elbv2.ApplicationTargetGroup];
}

const PERIOD = Duration.minutes(1);
/** Two bad minutes out of three: one slow minute is noise, two are a release that is wrong. */
const EVALUATION = { evaluationPeriods: 3, datapointsToAlarm: 2 } as const;

/**
 * The two alarms a traffic-shifting release is rolled back on: the target 5xx rate and the p99
 * response time, each over both target groups (whichever one serves production this time).
 * Missing data (no requests) never rolls back.
 */
export class ReleaseAlarms extends Construct {
  public readonly errorRate: cloudwatch.Alarm;
  public readonly latency: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReleaseAlarmsProps) {
    super(scope, id);
    const { config, service } = props;
    const { errorRatePercent, p99Ms } = service.release.alarms;
    const [blue, green] = props.targetGroups;
    const sum = { period: PERIOD, statistic: 'Sum' };
    const p99 = { period: PERIOD, statistic: 'p99' };

    this.errorRate = new cloudwatch.Alarm(this, 'ErrorRate', {
      alarmName: names.releaseAlarm(config, service, 'error-rate'),
      alarmDescription: `${service.id}: target 5xx responses above ${errorRatePercent}% of requests roll a release back`,
      metric: new cloudwatch.MathExpression({
        label: 'Target 5xx %',
        expression:
          '100 * (FILL(blue5xx, 0) + FILL(green5xx, 0)) / (FILL(blueRequests, 0) + FILL(greenRequests, 0))',
        usingMetrics: {
          blue5xx: blue.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
          green5xx: green.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
          blueRequests: blue.metrics.requestCount(sum),
          greenRequests: green.metrics.requestCount(sum),
        },
        period: PERIOD,
      }),
      threshold: errorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...EVALUATION,
    });

    this.latency = new cloudwatch.Alarm(this, 'Latency', {
      alarmName: names.releaseAlarm(config, service, 'p99'),
      alarmDescription: `${service.id}: target response time p99 above ${p99Ms} ms rolls a release back`,
      // The slower of the two groups: during a canary the new tasks' p99 is the one that matters.
      metric: new cloudwatch.MathExpression({
        label: 'Target p99 (s)',
        expression: 'MAX([blueP99, greenP99])',
        usingMetrics: {
          blueP99: blue.metrics.targetResponseTime(p99),
          greenP99: green.metrics.targetResponseTime(p99),
        },
        period: PERIOD,
      }),
      // TargetResponseTime is in seconds.
      threshold: p99Ms / 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...EVALUATION,
    });

    const noAction =
      'ECS reads this alarm during a release and rolls the deployment back on it; that is its action, and outside a release it has no one to page.';
    for (const alarm of [this.errorRate, this.latency])
      acknowledge(alarm, {
        'NIST.800.53.R5-CloudWatchAlarmAction': noAction,
        'HIPAA.Security-CloudWatchAlarmAction': noAction,
        'PCI.DSS.321-CloudWatchAlarmAction': noAction,
        'cdk-validator-cfnguard::cloudwatch_alarm_action_check': noAction,
      });
  }

  /** The alarm names ECS watches: these two and the user's own. */
  public get names(): string[] {
    return [this.errorRate.alarmName, this.latency.alarmName];
  }
}
