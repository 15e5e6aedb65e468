/** Every default berth applies, in one place; `normalizeConfig` and the schema's cross-field checks read it. */
export const DEFAULTS = {
  /** The deployed environment when `--stage` is not given. */
  stage: 'prod',
  network: { azs: 2, egress: 'nat-instance', cidr: '10.0.0.0/16' },
  alb: { allowedCidrs: ['0.0.0.0/0'], deletionProtection: true },
  // Security logs (VPC flow logs, WAF logs) outlive the app's: an incident is often found weeks later.
  logs: { retentionDays: 1, securityRetentionDays: 90 },
  // Off unless a config opts in: an exec session is a root shell's worth of access with no session log
  // on images without a shell (see docs/compliance.md).
  exec: false,
  guardDuty: false,
  waf: false,
  // Requests per IP in WAF's 5-minute window before it blocks the IP: the WAF console's own default,
  // well above what one person browsing the app sends.
  wafRateLimit: 2000,
  compliance: {
    packs: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
    controlTower: true,
  },
  service: {
    containerfile: 'Containerfile',
    cpu: 256,
    memory: 512,
    // Graviton: about 20% cheaper per vCPU-hour and GB-hour than x86_64 on Fargate (docs/images.md).
    architecture: 'arm64',
    spot: 0,
    user: 1000,
    shutdownSeconds: 10,
    // Added to shutdownSeconds for the ALB deregistration delay and the ECS stop timeout, so that
    // neither cuts off a request the app is still finishing.
    shutdownMarginSeconds: 5,
    healthCheck: { interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
    scaling: { min: 1, max: 4, cpuTarget: 70, requestsPerTarget: 1000 },
    // Rolling unless the config asks: a single-task dev service gains nothing from a second fleet
    // (docs/releases.md argues the production choice).
    release: {
      strategy: 'rolling',
      canary: { stepPercent: 10, stepMinutes: 5 },
      linear: { stepPercent: 20, stepMinutes: 2 },
      bakeMinutes: 5,
      alarms: { errorRatePercent: 5, p99Ms: 2000 },
    },
    // The least a service can be given; the config says where it writes.
    access: 'read',
  },
} as const;

/** Tasks at deploy time when the config does not say: the minimum, and at least one. */
export function defaultDesiredCount(min: number): number {
  return Math.max(1, min);
}
