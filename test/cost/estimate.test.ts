import { describe, expect, it } from 'vitest';
import type { BerthConfig, EgressStrategy, ResolvedConfig } from '../../src/config/index.ts';
import {
  compareEgress,
  costChange,
  estimateCost,
  loadPriceTable,
  PRICE_KEY_NAMES,
  priceRegions,
  type CostAssumptions,
  type CostEstimate,
} from '../../src/cost/index.ts';
import { cruddur } from '../fixtures.ts';

const table = loadPriceTable('us-east-1');
const r = Object.fromEntries(Object.entries(table.prices).map(([k, v]) => [k, v.usd])) as Record<
  keyof typeof table.prices,
  number
>;
const estimate = (config: ResolvedConfig, assumptions: Partial<CostAssumptions> = {}) =>
  estimateCost(config, { prices: table, assumptions });
const withEgress = (egress: EgressStrategy) => (c: BerthConfig) => ({
  ...c,
  network: { ...c.network, egress },
});
const line = (e: CostEstimate, id: string) => e.lines.find((l) => l.id === id)?.monthlyUsd;

/**
 * The reference app (frontend and backend, one task each at 0.25 vCPU / 0.5 GB on arm64, two AZs,
 * 1-day logs, exec on, no secrets, no WAF) at the default assumptions: 1 req/s, 10 GB/month to
 * users, 2 GB/month through the egress path, 2 GB/month of logs, 10,000 KMS requests, 5 stored
 * versions of each image (frontend maxSizeMB 25, backend 50) plus one 100 MB base image.
 */
const H = 730;
const everyStrategy =
  H * r.albHour + // ALB hours: $16.43
  Math.max(1 / 25, 10 / H / 1) * H * r.albLcuHour + // 1 new connection/s = 0.04 LCU: $0.23
  2 * H * r.publicIpv4Hour + // the ALB's address in each of 2 AZs: $7.30
  2 * (0.25 * H * r.fargateVcpuHourArm + 0.5 * H * r.fargateGbHourArm) + // 2 tasks on arm64: $14.42
  2 * r.logsIngestGb + // $1.00
  ((2 * 1) / (H / 24)) * r.logsStorageGbMonth + // 2 GB/month kept 1 day: $0.00
  (13 + 2 * 15) * r.metricMonth + // Container Insights, 43 metrics: $12.90
  1 * r.kmsKeyMonth + // $1.00
  10_000 * r.kmsRequest + // $0.03
  1 * r.route53ZoneMonth + // $0.50
  (((25 + 50) * 5 + 100) / 1000) * r.ecrGbMonth + // 0.475 GB: $0.05
  10 * r.dataTransferOutGb; // $0.90

const byStrategy: Record<EgressStrategy, number> = {
  // NAT gateway hours, its address, 2 GB processed: $36.59
  'nat-gateway': H * r.natGatewayHour + H * r.publicIpv4Hour + 2 * r.natGatewayGb,
  // t4g.nano hours, its address, 8 GB gp3: $7.36
  'nat-instance': H * r.natInstanceHour + H * r.publicIpv4Hour + 8 * r.ebsGp3GbMonth,
  // ecr.api, ecr.dkr, logs (+ ssmmessages when the config opts into exec) in 2 AZs, 2 GB
  // processed: 4 endpoints $58.42, 3 endpoints $43.82
  endpoints: (3 + (cruddur().exec ? 1 : 0)) * 2 * H * r.endpointAzHour + 2 * r.endpointGb,
  // one address per task, 2 tasks: $7.30
  'public-tasks': 2 * H * r.publicIpv4Hour,
};

describe('estimateCost on the reference config (us-east-1)', () => {
  for (const [egress, egressUsd] of Object.entries(byStrategy) as [EgressStrategy, number][]) {
    it(`matches the hand-computed month under ${egress}`, () => {
      const e = estimate(cruddur(withEgress(egress)));
      expect(e.egressUsd).toBeCloseTo(egressUsd, 6);
      expect(e.monthlyUsd).toBeCloseTo(everyStrategy + egressUsd, 6);
      expect(e.fixedUsd + e.assumptionUsd).toBeCloseTo(e.monthlyUsd, 9);
    });
  }

  it('gives the round figures the docs quote', () => {
    expect(everyStrategy + byStrategy['nat-instance']).toBeCloseTo(62.11, 2);
    expect(byStrategy['nat-gateway']).toBeCloseTo(36.59, 2);
    expect(byStrategy.endpoints).toBeCloseTo(cruddur().exec ? 58.42 : 43.82, 2);
  });

  it('writes each line as its arithmetic', () => {
    const e = estimate(cruddur());
    const text = (id: string) => e.lines.find((l) => l.id === id)?.arithmetic;
    expect(text('alb-hours')).toBe('730 h x $0.0225 = $16.43');
    expect(text('fargate-vcpu:backend')).toBe('1 task x 0.25 vCPU x 730 h x $0.03238 = $5.91');
    expect(text('nat-instance-hours')).toBe('730 h x $0.0042 = $3.07');
    expect(text('ipv4-alb')).toBe('2 addresses x 730 h x $0.005 = $7.30');
  });

  it('marks traffic-driven lines as assumptions and the rest as fixed', () => {
    const basis = Object.fromEntries(estimate(cruddur()).lines.map((l) => [l.id, l.basis]));
    expect(basis).toMatchObject({
      'alb-hours': 'fixed',
      'alb-lcu': 'assumption',
      'fargate-vcpu:frontend': 'fixed',
      'logs-ingestion': 'assumption',
      'data-transfer-out': 'assumption',
      'container-insights': 'fixed',
    });
  });
});

describe('a change of one input moves its own lines and no other', () => {
  const base = estimate(cruddur());
  /** Ids of the lines whose monthly cost differs (or that appear or go). */
  const moved = (e: CostEstimate, from: CostEstimate = base) => {
    const ids = new Set([...from.lines, ...e.lines].map((l) => l.id));
    return [...ids].filter((id) => Math.abs((line(e, id) ?? 0) - (line(from, id) ?? 0)) > 1e-9).sort();
  };

  it('--requests-per-second moves the LCUs', () => {
    expect(moved(estimate(cruddur(), { requestsPerSecond: 5 }))).toEqual(['alb-lcu']);
  });
  it('--egress-gb moves data transfer out (and the LCUs once bytes outweigh connections)', () => {
    expect(moved(estimate(cruddur(), { egressGb: 20 }))).toEqual(['data-transfer-out']);
    const heavy = estimate(cruddur(), { egressGb: 1000 });
    expect(moved(heavy)).toEqual(['alb-lcu', 'data-transfer-out']);
    expect(line(heavy, 'alb-lcu')).toBeCloseTo((1000 / 730) * 730 * r.albLcuHour, 9);
  });
  it('--outbound-gb moves what the egress path processes, and nothing under a NAT instance', () => {
    const gw = cruddur(withEgress('nat-gateway'));
    expect(moved(estimate(gw, { outboundGb: 100 }), estimate(gw))).toEqual(['nat-gateway-data']);
    const ep = cruddur(withEgress('endpoints'));
    expect(moved(estimate(ep, { outboundGb: 100 }), estimate(ep))).toEqual(['endpoint-data']);
    expect(moved(estimate(cruddur(), { outboundGb: 100 }))).toEqual([]);
  });
  it('--log-gb moves log ingestion and storage', () => {
    expect(moved(estimate(cruddur(), { logGb: 20 }))).toEqual(['logs-ingestion', 'logs-storage']);
  });
  it('the KMS request, image version and image size assumptions move their own lines', () => {
    expect(moved(estimate(cruddur(), { kmsRequests: 1_000_000 }))).toEqual(['kms-requests']);
    expect(moved(estimate(cruddur(), { storedImageVersions: 20 }))).toEqual(['ecr-storage']);
    expect(moved(estimate(cruddur(), { imageMb: 300 }))).toEqual(['ecr-storage']);
  });
  it("an image's maxSizeMB moves ECR storage only", () => {
    const bigger = estimate(
      cruddur((c) => ({
        ...c,
        services: {
          ...c.services,
          backend: {
            ...c.services.backend!,
            image: { context: './backend', file: 'Containerfile', maxSizeMB: 145 },
          },
        },
      })),
    );
    expect(moved(bigger)).toEqual(['ecr-storage']);
    expect(line(bigger, 'ecr-storage')).toBeCloseTo((((25 + 145) * 5 + 100) / 1000) * r.ecrGbMonth, 9);
  });
  it('the log retention moves log storage only', () => {
    const kept = estimate(cruddur((c) => ({ ...c, logs: { retentionDays: 365 } })));
    expect(moved(kept)).toEqual(['logs-storage']);
    expect(line(kept, 'logs-storage')).toBeCloseTo(((2 * 365) / (730 / 24)) * r.logsStorageGbMonth, 9);
  });
  it("a desired count moves that service's Fargate lines only", () => {
    const more = estimate(
      cruddur((c) => ({
        ...c,
        services: {
          ...c.services,
          backend: { ...c.services.backend!, scaling: { min: 1, max: 4, desired: 3 } },
        },
      })),
    );
    expect(moved(more)).toEqual(['fargate-memory:backend', 'fargate-vcpu:backend']);
    expect(line(more, 'fargate-vcpu:backend')).toBeCloseTo(3 * 0.25 * 730 * r.fargateVcpuHourArm, 9);
  });
  it('x86_64 prices the service at the x86 rates (arm64, the default, at the Graviton ones)', () => {
    const x86 = estimate(
      cruddur((c) => ({
        ...c,
        services: { ...c.services, frontend: { ...c.services.frontend!, architecture: 'x86_64' } },
      })),
    );
    expect(moved(x86)).toEqual(['fargate-memory:frontend', 'fargate-vcpu:frontend']);
    expect(line(x86, 'fargate-vcpu:frontend')).toBeCloseTo(0.25 * 730 * r.fargateVcpuHourX86, 9);
    expect(line(estimate(cruddur()), 'fargate-vcpu:frontend')).toBeCloseTo(
      0.25 * 730 * r.fargateVcpuHourArm,
      9,
    );
  });
  it('a Spot share keeps one task on demand and discounts the rest, as the capacity provider strategy does', () => {
    const spot = estimate(
      cruddur((c) => ({
        ...c,
        services: {
          ...c.services,
          backend: { ...c.services.backend!, spot: 50, scaling: { min: 1, max: 4, desired: 3 } },
        },
      })),
    );
    // 3 tasks: base 1 on FARGATE, the other 2 split 50/50: 2 on demand, 1 on Spot.
    expect(line(spot, 'fargate-vcpu:backend')).toBeCloseTo(2 * 0.25 * 730 * r.fargateVcpuHourArm, 9);
    expect(line(spot, 'fargate-vcpu-spot:backend')).toBeCloseTo(
      1 * 0.25 * 730 * r.fargateVcpuHourArm * (1 - r.fargateSpotDiscount),
      9,
    );
    expect(spot.lines.find((l) => l.id === 'fargate-vcpu-spot:backend')?.arithmetic).toBe(
      '1 task x 0.25 vCPU x 730 h x $0.03238 x (1 - 0.7 Spot discount) = $1.77',
    );
  });
  it('three AZs move the ALB addresses (and endpoints, per AZ)', () => {
    expect(moved(estimate(cruddur((c) => ({ ...c, network: { ...c.network, azs: 3 } }))))).toEqual([
      'ipv4-alb',
    ]);
    const ep = cruddur(withEgress('endpoints'));
    const ep3 = cruddur((c) => ({ ...c, network: { ...c.network, egress: 'endpoints', azs: 3 } }));
    expect(moved(estimate(ep3), estimate(ep))).toEqual(['endpoint-hours', 'ipv4-alb']);
  });
  it('WAF adds its web ACL, its four rules (rate limit and three managed groups) and requests', () => {
    const waf = estimate(cruddur((c) => ({ ...c, waf: true })));
    expect(moved(waf)).toEqual(['waf-acl', 'waf-requests', 'waf-rules']);
    expect(line(waf, 'waf-acl')! + line(waf, 'waf-rules')!).toBeCloseTo(5 + 4 * 1, 9);
    expect(line(waf, 'waf-requests')).toBeCloseTo(1 * 730 * 3600 * r.wafRequest, 9);
  });
  it('a Secrets Manager secret adds its monthly fee; SSM parameters are free', () => {
    const secret = (ref: object) =>
      estimate(
        cruddur((c) => ({
          ...c,
          services: { ...c.services, backend: { ...c.services.backend!, secrets: { DB: ref as never } } },
        })),
      );
    expect(moved(secret({ secretsManager: 'cruddur/db' }))).toEqual(['secrets-manager']);
    expect(moved(secret({ ssm: '/cruddur/db' }))).toEqual([]);
  });
  it('the endpoints strategy prices the endpoints the network construct creates (exec and secrets add theirs)', () => {
    const ep = estimate(
      cruddur((c) => ({
        ...c,
        exec: true,
        network: { ...c.network, egress: 'endpoints' },
        services: {
          ...c.services,
          backend: { ...c.services.backend!, secrets: { DB: { ssm: '/cruddur/db' } } },
        },
      })),
    );
    expect(ep.lines.find((l) => l.id === 'endpoint-hours')?.note).toBe(
      'ecr.api, ecr.dkr, logs, ssmmessages, kms, ssm',
    );
  });
});

describe('compareEgress', () => {
  it('prices every strategy and the seed layouts, each as its own estimate would', () => {
    const config = cruddur();
    const { rows } = compareEgress(config, { prices: table });
    expect(rows.map((row) => row.id)).toEqual([
      'nat-gateway',
      'nat-instance',
      'endpoints',
      'public-tasks',
      'seed-as-built',
      'seed-private',
    ]);
    for (const egress of Object.keys(byStrategy) as EgressStrategy[])
      expect(rows.find((row) => row.id === egress)!.estimate.egressUsd).toBeCloseTo(byStrategy[egress], 6);
    expect(rows.find((row) => row.current)?.id).toBe('nat-instance');
    expect(rows.find((row) => row.id === 'seed-as-built')!.estimate.egressUsd).toBeCloseTo(
      2 * 730 * r.publicIpv4Hour,
      6,
    );
    // The seed's private layout: a NAT gateway and its address in each of the 2 AZs.
    expect(rows.find((row) => row.id === 'seed-private')!.estimate.egressUsd).toBeCloseTo(
      2 * 730 * r.natGatewayHour + 2 * 730 * r.publicIpv4Hour + 2 * r.natGatewayGb,
      6,
    );
  });
});

describe('costChange', () => {
  const withBackend = (desired: number) =>
    cruddur((c) => ({
      ...c,
      services: { ...c.services, backend: { ...c.services.backend!, scaling: { min: 1, max: 4, desired } } },
    }));

  it('names one more task and its price', () => {
    const change = costChange(withBackend(1), withBackend(2), { prices: table });
    const oneTask = 0.25 * 730 * r.fargateVcpuHourArm + 0.5 * 730 * r.fargateGbHourArm;
    expect(change.deltaUsd).toBeCloseTo(oneTask, 9);
    expect(change.summary).toBe('+$7.21/month: one more backend task');
  });
  it('folds the public address of a public task into the task', () => {
    const publicBackend = (desired: number) =>
      cruddur((c) =>
        withEgress('public-tasks')({
          ...c,
          services: {
            ...c.services,
            backend: { ...c.services.backend!, scaling: { min: 1, max: 4, desired } },
          },
        }),
      );
    const change = costChange(publicBackend(1), publicBackend(3), { prices: table });
    // Two arm64 tasks, each with its vCPU, memory and public address: 2 x (5.9094 + 1.2994 + 3.65) = $21.72.
    const twoTasks =
      2 * (0.25 * 730 * r.fargateVcpuHourArm + 0.5 * 730 * r.fargateGbHourArm + 730 * r.publicIpv4Hour);
    expect(change.deltaUsd).toBeCloseTo(twoTasks, 9);
    expect(change.summary).toBe('+$21.72/month: two more backend tasks');
  });
  it('lists other lines by name, and says when nothing changed', () => {
    expect(costChange(cruddur(), cruddur(), { prices: table }).summary).toBe('no cost change');
    expect(
      costChange(
        cruddur(),
        cruddur((c) => ({ ...c, waf: true })),
        { prices: table },
      ).summary,
    ).toMatch(
      /^\+\$10\.58\/month: WAF web ACL \+\$5\.00, WAF rules \(rate limit, 3 managed groups\) \+\$4\.00, WAF requests \+\$1\.58$/,
    );
  });
});

describe('price tables', () => {
  it('ships us-east-1 and eu-west-1 at least', () => {
    expect(priceRegions()).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
  });

  it('hold every price the estimator uses, in every shipped region, each with its source', () => {
    // Configs that together reach every line: each egress strategy, WAF, Spot, x86_64, a secret.
    const configs = [
      ...(['nat-gateway', 'nat-instance', 'endpoints', 'public-tasks'] as const).map((e) =>
        cruddur(withEgress(e)),
      ),
      cruddur((c) => ({
        ...c,
        waf: true,
        services: {
          ...c.services,
          backend: {
            ...c.services.backend!,
            spot: 50,
            architecture: 'x86_64',
            scaling: { min: 1, max: 4, desired: 3 },
            secrets: { DB: { secretsManager: 'cruddur/db' } },
            release: { strategy: 'canary' },
          },
        },
      })),
    ];
    const used = new Set(configs.flatMap((c) => estimate(c).lines.map((l) => l.priceKey)));
    used.add('fargateSpotDiscount');
    // Every key the tables declare is used: no price sits in a table for nothing.
    expect([...used].sort()).toEqual([...PRICE_KEY_NAMES].sort());
    for (const region of priceRegions()) {
      const prices = loadPriceTable(region).prices as Record<
        string,
        { usd: number; source: string } | undefined
      >;
      for (const key of used) {
        expect(prices[key], `${region} ${key}`).toBeDefined();
        expect(prices[key]!.usd, `${region} ${key}`).toBeGreaterThanOrEqual(0);
        expect(prices[key]!.source.length, `${region} ${key}`).toBeGreaterThan(20);
      }
      expect(estimateCost(cruddur(), { prices: loadPriceTable(region) }).monthlyUsd).toBeGreaterThan(0);
    }
  });

  it('refuses a region without a table, naming the way out (exit 2)', () => {
    expect(() => loadPriceTable('ap-south-2')).toThrow(
      /no price table for ap-south-2 .*pass --region .*--refresh-prices --region ap-south-2/,
    );
  });
});

describe('releases in the estimate', () => {
  const shifting = cruddur((c) => ({
    ...c,
    services: {
      ...c.services,
      backend: { ...c.services.backend!, release: { strategy: 'canary' } },
      frontend: { ...c.services.frontend!, release: { strategy: 'blue-green' } },
    },
  }));

  it('adds one line of rollback alarms per traffic-shifting service: 6 alarm metrics x $0.10', () => {
    const e = estimate(shifting);
    const alarms = e.lines.filter((l) => l.id.startsWith('release-alarms:'));
    expect(alarms.map((l) => [l.id, l.quantity, l.monthlyUsd])).toEqual([
      ['release-alarms:backend', 6, 6 * r.alarmMetricMonth],
      ['release-alarms:frontend', 6, 6 * r.alarmMetricMonth],
    ]);
    expect(alarms[0]!.arithmetic).toBe('6 alarm metrics x $0.10 = $0.60');
    expect(e.monthlyUsd - estimate(cruddur()).monthlyUsd).toBeCloseTo(12 * r.alarmMetricMonth, 10);
  });

  it('adds nothing while every service rolls', () => {
    expect(estimate(cruddur()).lines.filter((l) => l.id.startsWith('release-alarms:'))).toEqual([]);
  });
});
