import type { EgressStrategy, ResolvedConfig, ResolvedService } from '../config/index.ts';
import { shiftsTraffic } from '../config/services.ts';
import { interfaceEndpoints } from '../infra/endpoints.ts';
import { arithmetic, num, type Factor } from './arithmetic.ts';
import { COST_FACTS, DEFAULT_ASSUMPTIONS, type CostAssumptions } from './assumptions.ts';
import type { PriceKey } from './price-keys.ts';
import type { PriceTable } from './prices.ts';

/** Whether a line follows from the config alone or from a traffic/volume assumption. */
export type CostBasis = 'fixed' | 'assumption';

export type CostGroup =
  | 'load balancer'
  | 'public IPv4'
  | 'compute'
  | 'egress'
  | 'logs and metrics'
  | 'keys, secrets and DNS'
  | 'images'
  | 'WAF'
  | 'data transfer';

export interface CostLine {
  /** Stable id of the driver, per service where it is per service: `fargate-vcpu:backend`. */
  readonly id: string;
  readonly group: CostGroup;
  readonly label: string;
  /** The service the line belongs to, for per-service drivers. */
  readonly service?: string;
  /** Billed units per month (the product of the arithmetic's factors). */
  readonly quantity: number;
  readonly unit: string;
  /** USD per unit as the table states it (before any Spot discount). */
  readonly rate: number;
  readonly priceKey: PriceKey;
  readonly monthlyUsd: number;
  /** `730 h x $0.0225 = $16.43` */
  readonly arithmetic: string;
  readonly basis: CostBasis;
  /** Part of what the egress strategy decides (compared by `--compare egress`). */
  readonly egress: boolean;
  readonly note?: string;
}

export interface CostEstimate {
  readonly app: string;
  readonly region: string;
  readonly egress: EgressStrategy;
  readonly natGateways: number;
  readonly prices: { readonly region: string; readonly date: string; readonly origin: string };
  readonly assumptions: CostAssumptions;
  readonly lines: readonly CostLine[];
  readonly monthlyUsd: number;
  readonly fixedUsd: number;
  readonly assumptionUsd: number;
  /** Sum of the lines the egress strategy decides. */
  readonly egressUsd: number;
  /** What the estimate leaves out, said once so that nobody reads the total as complete. */
  readonly notPriced: readonly string[];
}

export interface EstimateOptions {
  readonly prices: PriceTable;
  readonly assumptions?: Partial<CostAssumptions>;
  /**
   * NAT gateways under `nat-gateway`. berth creates one for the VPC; the seed's "proper" layout had
   * one per AZ. @default 1
   */
  readonly natGateways?: number;
}

/**
 * The monthly cost of what a config creates, line by line. Pure: the same config, prices and
 * assumptions always give the same lines.
 */
export function estimateCost(config: ResolvedConfig, options: EstimateOptions): CostEstimate {
  const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions };
  const p = options.prices.prices;
  const H = COST_FACTS.hoursPerMonth;
  const egress = config.network.egress;
  const azs = config.network.azs;
  const natGateways = egress === 'nat-gateway' ? (options.natGateways ?? 1) : 0;
  const lines: CostLine[] = [];

  const line = (
    l: Omit<CostLine, 'quantity' | 'rate' | 'monthlyUsd' | 'arithmetic' | 'egress' | 'unit'> & {
      factors: readonly Factor[];
      multiplier?: { value: number; text: string };
      egress?: boolean;
    },
  ) => {
    const { factors, multiplier, ...rest } = l;
    const price = p[l.priceKey];
    const quantity = factors.reduce((acc, [v]) => acc * v, 1);
    const monthlyUsd = quantity * price.usd * (multiplier?.value ?? 1);
    lines.push({
      ...rest,
      egress: l.egress ?? false,
      quantity,
      unit: price.unit,
      rate: price.usd,
      monthlyUsd,
      arithmetic: arithmetic(factors, price.usd, monthlyUsd, multiplier?.text),
    });
  };

  // Load balancer: always on; LCUs follow the traffic (the largest of the dimensions is billed).
  line({
    id: 'alb-hours',
    group: 'load balancer',
    label: 'ALB hours',
    priceKey: 'albHour',
    basis: 'fixed',
    factors: [[H, 'h']],
  });
  const rules = config.services.filter((s) => s.route).length - 1;
  const lcu = Math.max(
    a.requestsPerSecond / COST_FACTS.lcuNewConnectionsPerSecond,
    a.egressGb / H / COST_FACTS.lcuProcessedGbPerHour,
    (a.requestsPerSecond * Math.max(0, rules - COST_FACTS.lcuFreeRules)) /
      COST_FACTS.lcuRuleEvaluationsPerSecond,
  );
  line({
    id: 'alb-lcu',
    group: 'load balancer',
    label: 'ALB capacity units',
    priceKey: 'albLcuHour',
    basis: 'assumption',
    factors: [
      [lcu, 'LCU'],
      [H, 'h'],
    ],
    note: `${num(a.requestsPerSecond)} req/s as new connections at 25 per LCU, or ${num(a.egressGb)} GB/month processed at 1 GB/h per LCU: the larger`,
  });

  // Public IPv4: AWS charges every address, the ALB's one per AZ included.
  line({
    id: 'ipv4-alb',
    group: 'public IPv4',
    label: 'public IPv4: ALB (one per AZ)',
    priceKey: 'publicIpv4Hour',
    basis: 'fixed',
    factors: [
      [azs, 'addresses'],
      [H, 'h'],
    ],
  });
  const natAddresses = egress === 'nat-gateway' ? natGateways : egress === 'nat-instance' ? 1 : 0;
  if (natAddresses > 0)
    line({
      id: 'ipv4-nat',
      group: 'public IPv4',
      label: `public IPv4: NAT ${egress === 'nat-gateway' ? 'gateway' : 'instance'}`,
      priceKey: 'publicIpv4Hour',
      basis: 'fixed',
      egress: true,
      factors: [
        [natAddresses, natAddresses === 1 ? 'address' : 'addresses'],
        [H, 'h'],
      ],
    });
  const tasks = config.services.reduce((n, s) => n + s.scaling.desired, 0);
  if (egress === 'public-tasks' && tasks > 0)
    line({
      id: 'ipv4-tasks',
      group: 'public IPv4',
      label: 'public IPv4: tasks in public subnets',
      priceKey: 'publicIpv4Hour',
      basis: 'fixed',
      egress: true,
      factors: [
        [tasks, tasks === 1 ? 'task' : 'tasks'],
        [H, 'h'],
      ],
    });

  // Fargate, per service, at the desired count, split between FARGATE and FARGATE_SPOT as the
  // capacity provider strategy does (base 1 on FARGATE while any share is on demand).
  for (const s of config.services) fargateLines(s);

  // Egress.
  if (egress === 'nat-gateway') {
    line({
      id: 'nat-gateway-hours',
      group: 'egress',
      label: 'NAT gateway hours',
      priceKey: 'natGatewayHour',
      basis: 'fixed',
      egress: true,
      factors: [
        [natGateways, natGateways === 1 ? 'gateway' : 'gateways'],
        [H, 'h'],
      ],
    });
    line({
      id: 'nat-gateway-data',
      group: 'egress',
      label: 'NAT gateway data processed',
      priceKey: 'natGatewayGb',
      basis: 'assumption',
      egress: true,
      factors: [[a.outboundGb, 'GB']],
    });
  }
  if (egress === 'nat-instance') {
    line({
      id: 'nat-instance-hours',
      group: 'egress',
      label: 'NAT instance (t4g.nano) hours',
      priceKey: 'natInstanceHour',
      basis: 'fixed',
      egress: true,
      factors: [[H, 'h']],
    });
    line({
      id: 'nat-instance-volume',
      group: 'egress',
      label: 'NAT instance root volume (gp3)',
      priceKey: 'ebsGp3GbMonth',
      basis: 'fixed',
      egress: true,
      factors: [[COST_FACTS.natInstanceVolumeGb, 'GB-month']],
    });
  }
  const endpoints = interfaceEndpoints(config);
  if (endpoints.length > 0) {
    line({
      id: 'endpoint-hours',
      group: 'egress',
      label: 'interface endpoints',
      priceKey: 'endpointAzHour',
      basis: 'fixed',
      egress: true,
      factors: [
        [endpoints.length, 'endpoints'],
        [azs, 'AZs'],
        [H, 'h'],
      ],
      note: endpoints.map((e) => e.name).join(', '),
    });
    line({
      id: 'endpoint-data',
      group: 'egress',
      label: 'interface endpoint data processed',
      priceKey: 'endpointGb',
      basis: 'assumption',
      egress: true,
      factors: [[a.outboundGb, 'GB']],
    });
  }

  // Logs and metrics.
  line({
    id: 'logs-ingestion',
    group: 'logs and metrics',
    label: 'CloudWatch Logs ingestion',
    priceKey: 'logsIngestGb',
    basis: 'assumption',
    factors: [[a.logGb, 'GB']],
  });
  const storedGb = (a.logGb * config.logs.retentionDays) / (H / 24);
  line({
    id: 'logs-storage',
    group: 'logs and metrics',
    label: `CloudWatch Logs storage (${config.logs.retentionDays}-day retention)`,
    priceKey: 'logsStorageGbMonth',
    basis: 'assumption',
    factors: [[storedGb, 'GB-month']],
    note: `${num(a.logGb)} GB/month kept ${config.logs.retentionDays} of ${num(H / 24)} days, uncompressed: an upper bound`,
  });
  const metrics =
    COST_FACTS.containerInsightsClusterMetrics +
    COST_FACTS.containerInsightsServiceMetrics * config.services.length;
  line({
    id: 'container-insights',
    group: 'logs and metrics',
    label: 'Container Insights metrics',
    priceKey: 'metricMonth',
    basis: 'fixed',
    factors: [[metrics, 'metrics']],
    note: `about ${COST_FACTS.containerInsightsClusterMetrics} per cluster + ${COST_FACTS.containerInsightsServiceMetrics} per service`,
  });

  // Releases: the rollback alarms of each traffic-shifting service. Its green target group and the
  // test listener cost nothing by themselves; the verifier Lambda runs about a second per release.
  for (const s of config.services.filter(shiftsTraffic))
    line({
      id: `release-alarms:${s.id}`,
      group: 'logs and metrics',
      label: `rollback alarms: ${s.id} (${s.release.strategy})`,
      service: s.id,
      priceKey: 'alarmMetricMonth',
      basis: 'fixed',
      factors: [[COST_FACTS.releaseAlarmMetrics, 'alarm metrics']],
      note: "5xx rate over both target groups (4 metrics) and p99 (2); the verifier Lambda's one short run per release stays in Lambda's free tier",
    });

  // Keys, secrets, DNS.
  line({
    id: 'kms-keys',
    group: 'keys, secrets and DNS',
    label: 'KMS key (the app key)',
    priceKey: 'kmsKeyMonth',
    basis: 'fixed',
    factors: [[COST_FACTS.kmsKeys, 'key']],
  });
  line({
    id: 'kms-requests',
    group: 'keys, secrets and DNS',
    label: 'KMS requests',
    priceKey: 'kmsRequest',
    basis: 'assumption',
    factors: [[a.kmsRequests, 'requests']],
  });
  const secrets = new Set(
    config.services.flatMap((s) =>
      Object.values(s.secrets).flatMap((r) => (r.kind === 'secretsManager' ? [r.name] : [])),
    ),
  );
  if (secrets.size > 0)
    line({
      id: 'secrets-manager',
      group: 'keys, secrets and DNS',
      label: 'Secrets Manager secrets',
      priceKey: 'secretsManagerSecretMonth',
      basis: 'fixed',
      factors: [[secrets.size, secrets.size === 1 ? 'secret' : 'secrets']],
      note: 'SSM SecureString parameters (standard tier) are free',
    });
  line({
    id: 'route53-zone',
    group: 'keys, secrets and DNS',
    label: `Route 53 hosted zone ${config.hostedZone.name}`,
    priceKey: 'route53ZoneMonth',
    basis: 'fixed',
    factors: [[1, 'zone']],
    note: 'given in hostedZone, not created by berth; counted because the app needs it',
  });
  line({
    id: 'route53-queries',
    group: 'keys, secrets and DNS',
    label: 'Route 53 queries',
    priceKey: 'route53Query',
    basis: 'fixed',
    factors: [[0, 'billed queries']],
    note: 'berth creates only alias records to the ALB, whose queries are free',
  });

  // Images: one repository per built service plus the mirrored base image.
  const built = config.services.filter((s) => s.image.kind === 'build');
  const imageGb =
    (built.reduce((mb, s) => mb + (s.image.kind === 'build' ? (s.image.maxSizeMB ?? a.imageMb) : 0), 0) *
      a.storedImageVersions +
      a.imageMb) /
    1000;
  line({
    id: 'ecr-storage',
    group: 'images',
    label: 'ECR storage',
    priceKey: 'ecrGbMonth',
    basis: 'assumption',
    factors: [[imageGb, 'GB-month']],
    note: `${a.storedImageVersions} versions of each built image at its maxSizeMB (else ${a.imageMb} MB), plus one ${a.imageMb} MB base image`,
  });

  if (config.waf) {
    line({
      id: 'waf-acl',
      group: 'WAF',
      label: 'WAF web ACL',
      priceKey: 'wafWebAclMonth',
      basis: 'fixed',
      factors: [[1, 'web ACL']],
    });
    line({
      id: 'waf-rules',
      group: 'WAF',
      label: 'WAF rules (rate limit, 3 managed groups)',
      priceKey: 'wafRuleMonth',
      basis: 'fixed',
      factors: [[COST_FACTS.wafRules, 'rules']],
    });
    line({
      id: 'waf-requests',
      group: 'WAF',
      label: 'WAF requests',
      priceKey: 'wafRequest',
      basis: 'assumption',
      factors: [[a.requestsPerSecond * H * 3600, 'requests']],
    });
  }

  line({
    id: 'data-transfer-out',
    group: 'data transfer',
    label: 'data transfer out to the internet',
    priceKey: 'dataTransferOutGb',
    basis: 'assumption',
    factors: [[a.egressGb, 'GB']],
    note: "the account's first 100 GB a month are free across all services; not subtracted",
  });

  const sum = (pick: (l: CostLine) => boolean) => lines.filter(pick).reduce((t, l) => t + l.monthlyUsd, 0);
  return {
    app: config.app,
    region: config.env.region,
    egress,
    natGateways,
    prices: { region: options.prices.region, date: options.prices.date, origin: options.prices.origin },
    assumptions: a,
    lines,
    monthlyUsd: sum(() => true),
    fixedUsd: sum((l) => l.basis === 'fixed'),
    assumptionUsd: sum((l) => l.basis === 'assumption'),
    egressUsd: sum((l) => l.egress),
    notPriced: NOT_PRICED,
  };

  function fargateLines(s: ResolvedService): void {
    const n = s.scaling.desired;
    if (n === 0) return;
    const onDemand = s.spot === 100 ? 0 : 1 + ((n - 1) * (100 - s.spot)) / 100;
    const spot = n - onDemand;
    const arm = s.architecture === 'arm64';
    const vcpu = s.cpu / 1024;
    const gb = s.memory / 1024;
    const discount = p.fargateSpotDiscount.usd;
    const shares: [tasks: number, spot: boolean][] = [
      [onDemand, false],
      [spot, true],
    ];
    for (const [count, isSpot] of shares) {
      if (count === 0) continue;
      const tasks: Factor = [count, count === 1 ? 'task' : 'tasks'];
      const suffix = isSpot ? ' on Spot' : '';
      const multiplier = isSpot
        ? { value: 1 - discount, text: `(1 - ${num(discount)} Spot discount)` }
        : undefined;
      line({
        id: `fargate-vcpu${isSpot ? '-spot' : ''}:${s.id}`,
        group: 'compute',
        label: `Fargate ${s.architecture} vCPU: ${s.id}${suffix}`,
        service: s.id,
        priceKey: arm ? 'fargateVcpuHourArm' : 'fargateVcpuHourX86',
        basis: 'fixed',
        factors: [tasks, [vcpu, 'vCPU'], [H, 'h']],
        ...(multiplier ? { multiplier } : {}),
      });
      line({
        id: `fargate-memory${isSpot ? '-spot' : ''}:${s.id}`,
        group: 'compute',
        label: `Fargate ${s.architecture} memory: ${s.id}${suffix}`,
        service: s.id,
        priceKey: arm ? 'fargateGbHourArm' : 'fargateGbHourX86',
        basis: 'fixed',
        factors: [tasks, [gb, 'GB'], [H, 'h']],
        ...(multiplier ? { multiplier } : {}),
      });
    }
  }
}

const NOT_PRICED = [
  'DynamoDB on-demand requests, storage and point-in-time recovery (they follow the app data)',
  'S3 storage of the ALB access logs (90-day lifecycle) and of the VPC flow logs (kept logs.securityRetentionDays)',
  'GuardDuty Runtime Monitoring, when on (billed per vCPU-hour by GuardDuty)',
  'free tiers (data transfer, KMS requests, CloudWatch), which the account shares with everything else',
];
