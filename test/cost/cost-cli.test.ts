import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareEgress, estimateCost, loadPriceTable, usd } from '../../src/cost/index.ts';
import { cruddur, REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { startPriceListServer, type PriceListServer } from '../support/price-list-server.ts';

const cost = (...args: string[]) =>
  runBerth(['cost', '--config', REFERENCE_FILE, ...args], { cwd: os.tmpdir() });
const NO_STACK = /^\s+at\s/m;
/** The estimator's own figures (their arithmetic is tested in estimate.test.ts); here: that the CLI shows them. */
const prices = loadPriceTable('us-east-1');
const reference = estimateCost(cruddur(), { prices });
const money = (n: number) => usd(n).replace(/[$.]/g, '\\$&');

describe('berth cost', () => {
  it('prints each line with its arithmetic, the total, and which numbers are assumed', async () => {
    const { code, stdout, stderr } = await cost();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cruddur, stage prod, us-east-1, egress nat-instance/);
    expect(stdout).toMatch(/ALB hours +\$16\.43 +730 h x \$0\.0225 = \$16\.43/);
    expect(stdout).toMatch(/NAT instance \(t4g\.nano\) hours +\$3\.07 +730 h x \$0\.0042 = \$3\.07/);
    expect(stdout).toMatch(/CloudWatch Logs ingestion +\$1\.00 +\* +2 GB x \$0\.50 = \$1\.00/);
    expect(stdout).toMatch(new RegExp(`^total ${money(reference.monthlyUsd)}/month`, 'm'));
    expect(stdout).toMatch(
      /assumed \(\*\): 1 req\/s \(--requests-per-second\), 10 GB\/month to users \(--egress-gb\)/,
    );
  });

  it('takes the traffic flags and says so', async () => {
    const { code, stdout } = await cost('--log-gb', '20', '--requests-per-second', '50');
    expect(code).toBe(0);
    expect(stdout).toMatch(/20 GB x \$0\.50 = \$10\.00/);
    expect(stdout).toMatch(/2 LCU x 730 h x \$0\.008 = \$11\.68/);
    expect(stdout).toMatch(/assumed \(\*\): 50 req\/s/);
  });

  it('prints the estimate as JSON with --json', async () => {
    const { code, stdout } = await cost('--json', '--stage', 'staging');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.stage).toBe('staging');
    expect(json.monthlyUsd).toBeCloseTo(reference.monthlyUsd, 9);
    expect(json.lines.find((l: { id: string }) => l.id === 'alb-hours')).toMatchObject({
      quantity: 730,
      unit: 'ALB-hour',
      rate: 0.0225,
      basis: 'fixed',
      arithmetic: '730 h x $0.0225 = $16.43',
    });
  });

  it('compares the egress strategies and the seed layouts with --compare egress', async () => {
    const { code, stdout } = await cost('--compare', 'egress');
    expect(code).toBe(0);
    const row = (label: string) => stdout.split('\n').find((l) => l.startsWith(label)) ?? '';
    const { rows } = compareEgress(cruddur(), { prices });
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      const delta = r.estimate.monthlyUsd - reference.monthlyUsd;
      const figures = [money(r.estimate.egressUsd), money(r.estimate.monthlyUsd)];
      if (!r.current) figures.push(`${delta >= 0 ? '\\+' : ''}${money(delta)}`);
      expect(row(r.current ? `${r.label} (this config)` : r.label)).toMatch(
        new RegExp(` ${figures.join(' +')} `),
      );
    }
    expect(row('seed as built')).not.toBe('');
    expect(row("seed's private layout: a NAT gateway per AZ (2)")).not.toBe('');
  });

  it('prices another shipped region with --region', async () => {
    const { code, stdout } = await cost('--region', 'eu-west-1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/cruddur, stage prod, eu-west-1/);
    expect(stdout).toMatch(/730 h x \$0\.0252 = \$18\.40/);
  });

  for (const [args, message] of [
    [['--egress-gb', 'lots'], /--egress-gb takes a number of GB, 0 or more \(got 'lots'\)/],
    [['--log-gb', '-1'], /--log-gb takes a number of GB, 0 or more \(got '-1'\)/],
    [['--compare', 'cpu'], /argument 'cpu' is invalid\. Allowed choices are egress/],
    [['--region', 'ap-south-2'], /no price table for ap-south-2 .*--refresh-prices --region ap-south-2/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--stage', 'Prod_1'], /--stage "Prod_1": a stage must be 2-32 characters/],
  ] as const) {
    it(`exits 2 with one clear line for ${args.join(' ')}`, async () => {
      const { code, stderr, stdout } = await cost(...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(NO_STACK);
    });
  }

  it('exits 2 for a missing config', async () => {
    const { code, stderr } = await runBerth(['cost', '--config', 'nowhere.ts'], { cwd: os.tmpdir() });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no config file at .*nowhere\.ts/);
  });

  it('exits 2 for a table that lacks a price, naming the file and the price', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prices-'));
    const table = loadPriceTable('us-east-1') as { prices: Record<string, unknown> };
    delete table.prices.natInstanceHour;
    writeFileSync(path.join(dir, 'us-east-1.json'), JSON.stringify(table));
    const { code, stderr } = await cost('--prices-dir', dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/us-east-1\.json: prices\.natInstanceHour: .*refresh it with --refresh-prices/);
  });
});

describe('berth cost --refresh-prices', () => {
  let server: PriceListServer;
  beforeAll(async () => {
    server = await startPriceListServer();
  });
  afterAll(() => server.close());

  const env = (endpoint: string) => ({
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'us-east-1',
  });

  it('writes the table from the Price List API answers, then prices with it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prices-'));
    const { code, stdout, stderr } = await runBerth(
      ['cost', '--config', REFERENCE_FILE, '--refresh-prices', '--prices-dir', dir, '--json'],
      { cwd: os.tmpdir(), env: env(server.url) },
    );
    expect(stderr).toMatch(
      /28 prices for us-east-1 from the AWS Price List API written to .*us-east-1\.json/,
    );
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(path.join(dir, 'us-east-1.json'), 'utf8'));
    expect(written.origin).toMatch(/^AWS Price List API, fetched \d{4}-\d{2}-\d{2}/);
    expect(written.location).toBe('US East (N. Virginia)');
    // The Spot discount comes from the answers: 1 - 0.01275624 / 0.04048.
    expect(written.prices.fargateSpotDiscount.usd).toBe(
      Math.round((1 - 0.01275624 / 0.04048) * 10_000) / 10_000,
    );
    expect(JSON.parse(stdout).prices.origin).toBe(written.origin);
    // Requests went to the stand-in, signed, one GetProducts per price at least.
    expect(server.requests.length).toBeGreaterThanOrEqual(27);
  });

  it('exits 1 with the API refusal when the Price List API says no, writing nothing', async () => {
    const refusing = await startPriceListServer({ fail: true });
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prices-'));
      const { code, stderr } = await runBerth(
        ['cost', '--config', REFERENCE_FILE, '--refresh-prices', '--prices-dir', dir],
        { cwd: os.tmpdir(), env: env(refusing.url) },
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /the AWS Price List API refused GetProducts for AWSELB \(AccessDeniedException: User is not authorized/,
      );
      expect(stderr).not.toMatch(NO_STACK);
      expect(existsSync(path.join(dir, 'us-east-1.json'))).toBe(false);
    } finally {
      await refusing.close();
    }
  });
});
