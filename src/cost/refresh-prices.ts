import { GetProductsCommand, PricingClient, type Filter } from '@aws-sdk/client-pricing';
import { BerthError } from '../shared/errors.ts';
import { PRICE_KEY_NAMES, PRICE_KEYS, type PriceKey, type PriceListQuery } from './price-keys.ts';
import { writePriceTable, type Price, type PriceTable } from './prices.ts';

export interface RefreshPricesOptions {
  readonly region: string;
  /** Where to write `<region>.json`. @default the tables shipped with berth */
  readonly dir?: string;
  /** A Price List API endpoint; otherwise the SDK's own (AWS_ENDPOINT_URL is honoured). */
  readonly endpoint?: string;
  /** Today, as the table's date. @default now */
  readonly now?: Date;
}

/** One product of a GetProducts answer (each arrives as a JSON string). */
interface PriceListProduct {
  readonly product: { readonly sku: string; readonly attributes: Readonly<Record<string, string>> };
  readonly terms?: {
    readonly OnDemand?: Readonly<
      Record<
        string,
        {
          readonly effectiveDate?: string;
          readonly priceDimensions: Readonly<
            Record<string, { readonly beginRange?: string; readonly pricePerUnit: { readonly USD?: string } }>
          >;
        }
      >
    >;
  };
}

/** Extra filters for the services whose lists are large, so that a few pages hold the product. */
const EXTRA_FILTERS: Partial<Record<PriceKey, readonly [string, string][]>> = {
  natInstanceHour: [
    ['instanceType', 't4g.nano'],
    ['operatingSystem', 'Linux'],
    ['tenancy', 'Shared'],
    ['preInstalledSw', 'NA'],
    ['capacitystatus', 'Used'],
  ],
  ebsGp3GbMonth: [['volumeApiName', 'gp3']],
  natGatewayHour: [['productFamily', 'NAT Gateway']],
  natGatewayGb: [['productFamily', 'NAT Gateway']],
};

/**
 * Fetches every price the estimator uses from the AWS Price List API (GetProducts, one query per
 * price) and writes the region's table. The Price List API answers in us-east-1 for every region.
 */
export async function refreshPrices(
  options: RefreshPricesOptions,
): Promise<{ readonly file: string; readonly table: PriceTable }> {
  const client = new PricingClient({
    region: 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const found: Partial<Record<PriceKey, { usd: number; product: PriceListProduct; effective: string }>> = {};
  let location = options.region;
  try {
    for (const key of PRICE_KEY_NAMES) {
      const hit = await findPrice(client, PRICE_KEYS[key], key, options.region);
      found[key] = hit;
      if (!(PRICE_KEYS[key] as PriceListQuery).global && hit.product.product.attributes.location)
        location = hit.product.product.attributes.location;
    }
  } finally {
    client.destroy();
  }
  const source = (key: PriceKey, note = '') => {
    const { product, effective } = found[key]!;
    const q = PRICE_KEYS[key] as PriceListQuery;
    return `AWS Price List API GetProducts ${q.serviceCode}, usagetype ${product.product.attributes.usagetype}, sku ${product.product.sku}${effective ? `, effective ${effective.slice(0, 10)}` : ''}, fetched ${today}${note}`;
  };
  const prices = {} as Record<PriceKey, Price>;
  const check = { status: 'verified' as const, by: `AWS Price List API, fetched ${today}` };
  for (const key of PRICE_KEY_NAMES) {
    const { unit, what } = PRICE_KEYS[key];
    if (key === 'fargateSpotDiscount') {
      const discount = 1 - found[key]!.usd / found.fargateVcpuHourX86!.usd;
      prices[key] = {
        usd: Math.round(discount * 10_000) / 10_000,
        unit,
        what,
        source: source(
          key,
          ` (1 - Spot vCPU rate ${found[key]!.usd} / on-demand ${found.fargateVcpuHourX86!.usd})`,
        ),
        check,
      };
    } else prices[key] = { usd: found[key]!.usd, unit, what, source: source(key), check };
  }
  const table: PriceTable = {
    region: options.region,
    location,
    currency: 'USD',
    date: today,
    origin: `AWS Price List API, fetched ${today} by berth cost --refresh-prices`,
    prices,
  };
  return { file: writePriceTable(table, options.dir), table };
}

async function findPrice(
  client: PricingClient,
  query: PriceListQuery,
  key: PriceKey,
  region: string,
): Promise<{ usd: number; product: PriceListProduct; effective: string }> {
  const filters: Filter[] = [
    { Type: 'CONTAINS', Field: 'usagetype', Value: query.usagetype },
    ...(query.global ? [] : [{ Type: 'TERM_MATCH' as const, Field: 'regionCode', Value: region }]),
    ...(query.productFamily
      ? [{ Type: 'TERM_MATCH' as const, Field: 'productFamily', Value: query.productFamily }]
      : []),
    ...(EXTRA_FILTERS[key] ?? []).map(([Field, Value]) => ({ Type: 'TERM_MATCH' as const, Field, Value })),
  ];
  let token: string | undefined;
  do {
    const answer = await client
      .send(
        new GetProductsCommand({
          ServiceCode: query.serviceCode,
          Filters: filters,
          FormatVersion: 'aws_v1',
          MaxResults: 100,
          ...(token ? { NextToken: token } : {}),
        }),
      )
      .catch((err: unknown) => {
        throw new BerthError(
          `the AWS Price List API refused GetProducts for ${query.serviceCode} (${(err as Error).name}: ${(err as Error).message}); check your AWS credentials, or price with the shipped table (drop --refresh-prices)`,
          { cause: err },
        );
      });
    for (const raw of answer.PriceList ?? []) {
      const product = JSON.parse(String(raw)) as PriceListProduct;
      if (!sameUsageType(product.product.attributes.usagetype ?? '', query.usagetype)) continue;
      const price = onDemandPrice(product);
      if (price) return { ...price, product };
    }
    token = answer.NextToken;
  } while (token);
  throw new BerthError(
    `the AWS Price List API has no ${query.serviceCode} price with usage type ${query.usagetype} in ${region} (${key}); the region may not offer it: keep the shipped table (drop --refresh-prices)`,
  );
}

/** `USE1-NatGateway-Hours`, `EU-NatGateway-Hours` or (some us-east-1 lists) `NatGateway-Hours`; not `USE1-Other-NatGateway-Hours`. */
function sameUsageType(usagetype: string, wanted: string): boolean {
  if (usagetype === wanted) return true;
  return usagetype.endsWith(`-${wanted}`) && /^[A-Z]{2,4}\d?$/.test(usagetype.slice(0, -wanted.length - 1));
}

/** The first paid tier's USD price: tiers start with a free allowance in some lists. */
function onDemandPrice(p: PriceListProduct): { usd: number; effective: string } | undefined {
  const tiers = Object.values(p.terms?.OnDemand ?? {}).flatMap((term) =>
    Object.values(term.priceDimensions).map((d) => ({
      begin: Number(d.beginRange ?? 0),
      usd: Number(d.pricePerUnit.USD ?? 'NaN'),
      effective: term.effectiveDate ?? '',
    })),
  );
  return tiers.filter((t) => Number.isFinite(t.usd) && t.usd > 0).sort((a, b) => a.begin - b.begin)[0];
}
