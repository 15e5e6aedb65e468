/**
 * What berth cannot know from the config: traffic and volumes. Every line that depends on one of
 * these is marked `assumption` in the estimate, and the output names the numbers used.
 */
export interface CostAssumptions {
  /** Average requests per second through the ALB (LCUs, WAF requests). Each counted as a new connection. */
  readonly requestsPerSecond: number;
  /** GB per month sent to users through the ALB: data transfer out, and the ALB's processed bytes. */
  readonly egressGb: number;
  /** GB per month the tasks send and fetch through the egress path (container logs to CloudWatch, AWS APIs, outside APIs). */
  readonly outboundGb: number;
  /** GB per month written to all the app's log groups (containers, Service Connect, WAF); VPC flow logs go to S3. */
  readonly logGb: number;
  /** KMS requests per month against the app key (log and exec-session encryption). */
  readonly kmsRequests: number;
  /** Versions of each image kept in ECR, counted at full size (layers shared between versions make it less). */
  readonly storedImageVersions: number;
  /** Compressed size of an image without a `maxSizeMB` budget in the config, in MB. */
  readonly imageMb: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  requestsPerSecond: 1,
  egressGb: 10,
  outboundGb: 2,
  logGb: 2,
  kmsRequests: 10_000,
  storedImageVersions: 5,
  imageMb: 100,
};

/** Fixed facts the estimate builds on; each is explained with its source in docs/cost.md. */
export const COST_FACTS = {
  /** AWS bills a month as 730 hours (365 x 24 / 12). */
  hoursPerMonth: 730,
  /** ALB LCU: 25 new connections per second, 1 GB processed per hour (IP targets), 1,000 rule evaluations per second. */
  lcuNewConnectionsPerSecond: 25,
  lcuProcessedGbPerHour: 1,
  lcuRuleEvaluationsPerSecond: 1000,
  /** Listener rules the ALB evaluates free per request. */
  lcuFreeRules: 10,
  /** The NAT instance's root volume (src/infra/constructs/network.ts). */
  natInstanceVolumeGb: 8,
  /**
   * Container Insights (standard) metrics, billed as custom metrics: the ClusterName dimension set
   * carries about 13, each ClusterName+ServiceName set about 15 (CPU/memory/network/storage reserved and
   * utilized, task and deployment counts). Approximate: AWS documents the list, not a count.
   */
  containerInsightsClusterMetrics: 13,
  containerInsightsServiceMetrics: 15,
  /** One customer managed key for logs, tables and exec sessions (src/infra/stacks/app-stack.ts). */
  kmsKeys: 1,
  /**
   * Rules on the WAF web ACL, each billed as one (src/infra/constructs/edge.ts): the per-IP
   * rate-based rule and three AWS managed rule groups.
   */
  wafRules: 4,
  /**
   * Metrics a traffic-shifting service's rollback alarms evaluate (src/infra/release/alarms.ts): the
   * 5xx rate reads 5xx and request counts of both target groups (4), the p99 alarm both groups' p99 (2).
   */
  releaseAlarmMetrics: 6,
} as const;
