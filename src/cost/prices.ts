import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../shared/errors.ts';
import { PRICE_KEY_NAMES, type PriceKey } from './price-keys.ts';

/** The tables shipped with berth, one JSON file per region. */
export const SHIPPED_PRICES_DIR = path.join(import.meta.dirname, 'prices');

const PriceSchema = z
  .object({
    usd: z.number().nonnegative(),
    /** What one unit is: `ALB-hour`, `GB`, `fraction`. */
    unit: z.string().min(1),
    what: z.string().min(1),
    /** Where the number came from: the Price List API query, or a page and its date. */
    source: z.string().min(1),
    /**
     * How far the number was checked, and against what: `verified` read from AWS's own Price
     * List (what `--refresh-prices` writes); `corroborated` the same figure found for this region
     * in an independent public source, named in `by`, but not read from AWS here; `unverified`
     * no source found, `by` says what was looked for.
     */
    check: z
      .object({
        status: z.enum(['verified', 'corroborated', 'unverified']),
        by: z.string().min(1),
      })
      .strict(),
  })
  .strict();

const PriceTableSchema = z
  .object({
    region: z.string().min(1),
    location: z.string().min(1),
    currency: z.literal('USD'),
    /** When the table was written (YYYY-MM-DD). */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    origin: z.string().min(1),
    prices: z.object(
      Object.fromEntries(PRICE_KEY_NAMES.map((k) => [k, PriceSchema])) as Record<
        PriceKey,
        typeof PriceSchema
      >,
    ),
  })
  .strict();

export type Price = z.infer<typeof PriceSchema>;
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Regions with a table in `dir`. */
export function priceRegions(dir: string = SHIPPED_PRICES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The price table for a region; a region without one, or a table missing a price, is a usage error. */
export function loadPriceTable(region: string, dir: string = SHIPPED_PRICES_DIR): PriceTable {
  const file = path.join(dir, `${region}.json`);
  if (!existsSync(file)) {
    const known = priceRegions(dir);
    throw new UsageError(
      `no price table for ${region} in ${dir} (there are: ${known.join(', ') || 'none'}); pass --region ${known[0] ?? 'us-east-1'}, or fetch one with --refresh-prices --region ${region}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(
      `${file} is not JSON (${(err as Error).message}); refresh it with --refresh-prices`,
      {
        cause: err,
      },
    );
  }
  const parsed = PriceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UsageError(
      `${file}: ${first.path.join('.') || 'table'}: ${first.message}; refresh it with --refresh-prices --region ${region}`,
    );
  }
  return parsed.data;
}

/** Writes a table atomically (a reader never sees half a file), after checking it holds every price. */
export function writePriceTable(table: PriceTable, dir: string = SHIPPED_PRICES_DIR): string {
  const checked = PriceTableSchema.parse(table);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${checked.region}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  // Exponents as Prettier writes them (3e-6, not 3e-06), so a refreshed table passes `npm run lint`.
  writeFileSync(temp, `${JSON.stringify(checked, null, 2).replace(/(\d)e-0(\d)/g, '$1e-$2')}\n`);
  renameSync(temp, file);
  return file;
}
