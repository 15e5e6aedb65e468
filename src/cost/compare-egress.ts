import { EGRESS_STRATEGIES, type EgressStrategy, type ResolvedConfig } from '../config/index.ts';
import { estimateCost, type CostEstimate, type EstimateOptions } from './estimate.ts';

export interface EgressRow {
  readonly id: EgressStrategy | 'seed-as-built' | 'seed-private';
  readonly label: string;
  /** This row is the config's own strategy. */
  readonly current: boolean;
  readonly estimate: CostEstimate;
}

export interface EgressComparison {
  readonly rows: readonly EgressRow[];
}

/**
 * The same app under every egress strategy, then the seed's two layouts: as it was built (tasks in
 * public subnets with public IPs, no NAT) and the private layout it called proper (a NAT gateway in
 * every AZ).
 */
export function compareEgress(config: ResolvedConfig, options: EstimateOptions): EgressComparison {
  const under = (egress: EgressStrategy, natGateways?: number) =>
    estimateCost(
      { ...config, network: { ...config.network, egress } },
      { ...options, ...(natGateways !== undefined ? { natGateways } : {}) },
    );
  const rows: EgressRow[] = EGRESS_STRATEGIES.map((egress) => ({
    id: egress,
    label: egress === 'nat-gateway' ? 'nat-gateway (one for the VPC)' : egress,
    current: egress === config.network.egress,
    estimate: under(egress),
  }));
  rows.push(
    {
      id: 'seed-as-built',
      label: 'seed as built: public tasks, no NAT',
      current: false,
      estimate: under('public-tasks'),
    },
    {
      id: 'seed-private',
      label: `seed's private layout: a NAT gateway per AZ (${config.network.azs})`,
      current: false,
      estimate: under('nat-gateway', config.network.azs),
    },
  );
  return { rows };
}
