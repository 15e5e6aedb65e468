/** Every default berth applies, in one place; `normalizeConfig` and the schema's cross-field checks read it. */
export const DEFAULTS = {
  /** The deployed environment when `--stage` is not given. */
  stage: 'prod',
  network: { azs: 2, egress: 'nat-instance', cidr: '10.0.0.0/16' },
  alb: { allowedCidrs: ['0.0.0.0/0'], deletionProtection: true },
  logs: { retentionDays: 1 },
  exec: true,
  guardDuty: false,
  waf: false,
  compliance: {
    packs: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
    controlTower: true,
  },
  service: {
    containerfile: 'Containerfile',
    cpu: 256,
    memory: 512,
    architecture: 'x86_64',
    spot: 0,
    user: 1000,
    shutdownSeconds: 10,
    // Added to shutdownSeconds for the ALB deregistration delay and the ECS stop timeout, so that
    // neither cuts off a request the app is still finishing.
    shutdownMarginSeconds: 5,
    healthCheck: { interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
    scaling: { min: 1, max: 4, cpuTarget: 70, requestsPerTarget: 1000 },
    access: 'readwrite',
  },
} as const;

/** Tasks at deploy time when the config does not say: the minimum, and at least one. */
export function defaultDesiredCount(min: number): number {
  return Math.max(1, min);
}
