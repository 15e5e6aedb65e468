import { toAwsApi } from '../paths.ts';
import { type PathResult, type ReachabilityRule, tasksOf } from './rule.ts';

/**
 * Every AWS API a service's tasks need (ECR, its S3 layer bucket, CloudWatch Logs, the tables and
 * secrets they use, ssmmessages and KMS for ECS Exec) must be reachable from every task subnet.
 */
export const awsApisReachable: ReachabilityRule = ({ ctx, workloads }) => {
  const results: PathResult[] = [];
  for (const w of workloads) {
    for (const need of w.needs) {
      const drop = w.subnets.map((s) => toAwsApi(ctx, tasksOf(w), s, need)).find((d) => d);
      results.push({
        rule: need.rule,
        from: w.id,
        to: need.label,
        expect: 'open',
        ok: !drop,
        ...(drop ? { hop: drop } : {}),
      });
    }
  }
  return results;
};
