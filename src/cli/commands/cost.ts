import { Command, InvalidArgumentError, Option } from 'commander';
import {
  compareEgress,
  DEFAULT_ASSUMPTIONS,
  estimateCost,
  loadPriceTable,
  SHIPPED_PRICES_DIR,
  type CostAssumptions,
} from '../../cost/index.ts';
import { configOption, loadStageConfig, stageOption } from '../context.ts';
import { renderComparison, renderEstimate } from '../cost-render.ts';

interface CostFlags {
  config: string;
  stage?: string;
  json?: boolean;
  compare?: 'egress';
  requestsPerSecond?: number;
  egressGb?: number;
  outboundGb?: number;
  logGb?: number;
  region?: string;
  refreshPrices?: boolean;
  pricesDir: string;
}

/** A flag's number: finite and not negative, or a usage error naming the flag. */
const amount = (flag: string, what: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${flag} takes ${what}, 0 or more (got '${value}')`);
  return n;
};

export const costCommand = new Command('cost')
  .description('estimate what the config costs a month on AWS, line by line with the arithmetic')
  .addOption(configOption())
  .addOption(
    stageOption(
      "the stage the estimate is for: its egress, scaling, log retention and WAF (default: the config's defaultStage, else prod)",
    ),
  )
  .option('--json', 'print the estimate as JSON')
  .addOption(new Option('--compare <what>', 'compare layouts side by side').choices(['egress']))
  .option(
    '--requests-per-second <n>',
    `average requests per second (default ${DEFAULT_ASSUMPTIONS.requestsPerSecond})`,
    amount('--requests-per-second', 'requests per second'),
  )
  .option(
    '--egress-gb <n>',
    `GB per month sent to users (default ${DEFAULT_ASSUMPTIONS.egressGb})`,
    amount('--egress-gb', 'a number of GB'),
  )
  .option(
    '--outbound-gb <n>',
    `GB per month tasks send through the egress path (default ${DEFAULT_ASSUMPTIONS.outboundGb})`,
    amount('--outbound-gb', 'a number of GB'),
  )
  .option(
    '--log-gb <n>',
    `GB per month of logs (default ${DEFAULT_ASSUMPTIONS.logGb})`,
    amount('--log-gb', 'a number of GB'),
  )
  .option('--region <region>', "price the deployment in this region instead of the config's")
  .option('--refresh-prices', 'fetch current prices from the AWS Price List API and write the table first')
  .option('--prices-dir <dir>', 'where price tables are read and written', SHIPPED_PRICES_DIR)
  .action(async (opts: CostFlags) => {
    const config = await loadStageConfig(opts);
    const region = opts.region ?? config.env.region;
    if (opts.refreshPrices) {
      // Loaded on use: the AWS SDK client is only needed to refresh.
      const { refreshPrices } = await import('../../cost/refresh-prices.ts');
      const { file, table } = await refreshPrices({ region, dir: opts.pricesDir });
      process.stderr.write(
        `berth: ${Object.keys(table.prices).length} prices for ${region} from the AWS Price List API written to ${file}\n`,
      );
    }
    const prices = loadPriceTable(region, opts.pricesDir);
    const assumptions: Partial<CostAssumptions> = {
      ...(opts.requestsPerSecond !== undefined ? { requestsPerSecond: opts.requestsPerSecond } : {}),
      ...(opts.egressGb !== undefined ? { egressGb: opts.egressGb } : {}),
      ...(opts.outboundGb !== undefined ? { outboundGb: opts.outboundGb } : {}),
      ...(opts.logGb !== undefined ? { logGb: opts.logGb } : {}),
    };
    const priced = { ...config, env: { ...config.env, region } };
    if (opts.compare === 'egress') {
      const comparison = compareEgress(priced, { prices, assumptions });
      process.stdout.write(
        opts.json
          ? `${JSON.stringify({ stage: config.stage, ...comparison }, null, 2)}\n`
          : `${renderComparison(comparison, config.stage)}\n`,
      );
      return;
    }
    const estimate = estimateCost(priced, { prices, assumptions });
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ stage: config.stage, ...estimate }, null, 2)}\n`
        : `${renderEstimate(estimate, config.stage)}\n`,
    );
  });
