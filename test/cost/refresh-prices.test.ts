import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPriceTable, PRICE_KEY_NAMES } from '../../src/cost/index.ts';
import { refreshPrices } from '../../src/cost/refresh-prices.ts';
import {
  PRICE_LIST_FIXTURE,
  startPriceListServer,
  type PriceListServer,
} from '../support/price-list-server.ts';

/** The fixture's price of one product, read straight from its JSON: what the table must hold. */
function fixturePrice(usagetype: string, region: string | undefined, begin = '0'): number {
  const { products } = JSON.parse(readFileSync(PRICE_LIST_FIXTURE, 'utf8')) as {
    products: {
      product: { attributes: Record<string, string> };
      terms: {
        OnDemand: Record<
          string,
          { priceDimensions: Record<string, { beginRange: string; pricePerUnit: { USD: string } }> }
        >;
      };
    }[];
  };
  const p = products.find(
    (x) => x.product.attributes.usagetype === usagetype && x.product.attributes.regionCode === region,
  )!;
  const dims = Object.values(Object.values(p.terms.OnDemand)[0]!.priceDimensions);
  return Number(dims.find((d) => d.beginRange === begin)!.pricePerUnit.USD);
}

describe('refreshPrices against a Price List API on 127.0.0.1', () => {
  let server: PriceListServer;
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'secret';
    // One product per page: the client must follow NextToken past neighbours it has to skip.
    server = await startPriceListServer({ pageSize: 1 });
  });
  afterAll(() => server.close());

  it("writes a complete table that the estimator loads, with the answers' prices", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prices-'));
    const { file, table } = await refreshPrices({
      region: 'us-east-1',
      dir,
      endpoint: server.url,
      now: new Date('2026-12-06T10:00:00Z'),
    });
    expect(file).toBe(path.join(dir, 'us-east-1.json'));
    expect(loadPriceTable('us-east-1', dir)).toEqual(table);
    expect(Object.keys(table.prices).sort()).toEqual([...PRICE_KEY_NAMES].sort());
    expect(table.date).toBe('2026-12-06');

    const p = table.prices;
    expect(p.albHour.usd).toBe(fixturePrice('USE1-LoadBalancerUsage', 'us-east-1'));
    // On demand, not the Spot product listed before it.
    expect(p.fargateVcpuHourX86.usd).toBe(fixturePrice('USE1-Fargate-vCPU-Hours:perCPU', 'us-east-1'));
    // t4g.nano, not t4g.micro nor an unused reservation; us-east-1 EC2 usage types carry no prefix.
    expect(p.natInstanceHour.usd).toBe(fixturePrice('BoxUsage:t4g.nano', 'us-east-1'));
    // Logs ingestion, not vended logs; the first paid tier of tiered prices.
    expect(p.logsIngestGb.usd).toBe(fixturePrice('USE1-DataProcessing-Bytes', 'us-east-1'));
    expect(p.kmsRequest.usd).toBe(fixturePrice('USE1-KMS-Requests', 'us-east-1', '20000'));
    expect(p.route53ZoneMonth.usd).toBe(fixturePrice('HostedZone', undefined));
    expect(p.dataTransferOutGb.usd).toBe(fixturePrice('USE1-DataTransfer-Out-Bytes', 'us-east-1'));
    expect(p.albHour.source).toMatch(
      /^AWS Price List API GetProducts AWSELB, usagetype USE1-LoadBalancerUsage, sku \w+, effective 2026-05-01, fetched 2026-12-06$/,
    );
    // Read from AWS's own list: every price says so.
    for (const price of Object.values(p))
      expect(price.check).toEqual({ status: 'verified', by: 'AWS Price List API, fetched 2026-12-06' });
    // Filters reach the API: the region on regional prices, none on Route 53's global ones.
    const alb = server.requests.find((r) => r.ServiceCode === 'AWSELB')!;
    expect(alb.Filters).toEqual(
      expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
        { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Load Balancer-Application' },
      ]),
    );
    const zone = server.requests.find((r) => r.ServiceCode === 'AmazonRoute53')!;
    expect(zone.Filters.some((f) => f.Field === 'regionCode')).toBe(false);
  });

  it('names the missing price when a region lacks a product, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prices-'));
    await expect(refreshPrices({ region: 'eu-west-1', dir, endpoint: server.url })).rejects.toThrow(
      /has no AWSELB price with usage type LCUUsage in eu-west-1 \(albLcuHour\)/,
    );
    expect(() => loadPriceTable('eu-west-1', dir)).toThrow(/no price table for eu-west-1/);
  });
});
