import type { CostAssumptions, CostEstimate, EgressComparison } from '../cost/index.ts';
import { usd } from '../cost/index.ts';
import { table } from './render.ts';

/** The flag that sets each assumption, for the output's "assumed" line. */
const ASSUMPTION_TEXT: Record<keyof CostAssumptions, (v: number) => string> = {
  requestsPerSecond: (v) => `${v} req/s (--requests-per-second)`,
  egressGb: (v) => `${v} GB/month to users (--egress-gb)`,
  outboundGb: (v) => `${v} GB/month through the egress path (--outbound-gb)`,
  logGb: (v) => `${v} GB/month of logs (--log-gb)`,
  kmsRequests: (v) => `${v.toLocaleString('en-US')} KMS requests/month`,
  storedImageVersions: (v) => `${v} stored versions per image`,
  imageMb: (v) => `${v} MB per image without maxSizeMB`,
};

function header(e: CostEstimate, stage: string): string[] {
  return [
    `${e.app}, stage ${stage}, ${e.region}, egress ${e.egress}: estimated monthly cost in USD`,
    `prices: ${e.prices.region} table of ${e.prices.date} (${e.prices.origin})`,
  ];
}

function assumed(e: CostEstimate): string {
  return `assumed (*): ${Object.entries(e.assumptions)
    .map(([k, v]) => ASSUMPTION_TEXT[k as keyof CostAssumptions](v))
    .join(', ')}`;
}

export function renderEstimate(e: CostEstimate, stage: string): string {
  return [
    ...header(e, stage),
    '',
    table(
      ['group', 'line', 'monthly', '', 'arithmetic'],
      e.lines.map((l) => [
        l.group,
        l.label,
        usd(l.monthlyUsd).padStart(9),
        l.basis === 'assumption' ? '*' : '',
        l.note ? `${l.arithmetic} (${l.note})` : l.arithmetic,
      ]),
    ),
    '',
    `total ${usd(e.monthlyUsd)}/month: ${usd(e.fixedUsd)} follows from the config, ${usd(e.assumptionUsd)} from assumptions (*)`,
    assumed(e),
    `not priced: ${e.notPriced.join('; ')}`,
  ].join('\n');
}

export function renderComparison(c: EgressComparison, stage: string): string {
  const current = c.rows.find((r) => r.current)!.estimate;
  return [
    ...header(current, stage),
    '',
    table(
      ['egress layout', 'egress lines', 'monthly total', 'vs this config', 'what the egress costs'],
      c.rows.map((r) => {
        const delta = r.estimate.monthlyUsd - current.monthlyUsd;
        return [
          r.current ? `${r.label} (this config)` : r.label,
          usd(r.estimate.egressUsd).padStart(9),
          usd(r.estimate.monthlyUsd).padStart(9),
          r.current ? '' : `${delta >= 0 ? '+' : ''}${usd(delta)}`.padStart(9),
          r.estimate.lines
            .filter((l) => l.egress)
            .map((l) => `${l.label}: ${l.arithmetic}`)
            .join('; '),
        ];
      }),
    ),
    '',
    'Every row is the same app with the same traffic; only the egress path and its public addresses differ.',
    assumed(current),
  ].join('\n');
}
