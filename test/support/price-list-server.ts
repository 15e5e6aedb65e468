import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The recorded-shape GetProducts products the server answers from. */
export const PRICE_LIST_FIXTURE = path.resolve(import.meta.dirname, '../cost/fixtures/price-list.json');

interface Product {
  readonly product: { readonly productFamily: string; readonly attributes: Record<string, string> };
  readonly serviceCode: string;
}

export interface PriceListServer {
  readonly url: string;
  /** Every GetProducts request body the server received. */
  readonly requests: { ServiceCode: string; Filters: { Type: string; Field: string; Value: string }[] }[];
  close(): Promise<void>;
}

/**
 * A stand-in for the AWS Price List API on 127.0.0.1: speaks its JSON 1.1 protocol
 * (`X-Amz-Target: AWSPriceListService.GetProducts`), applies the request's filters to the fixture's
 * products the way the API documents them (TERM_MATCH/EQUALS exact, CONTAINS substring) and pages
 * its answers (`pageSize` products at most, with NextToken), so the client's paging is exercised.
 */
export async function startPriceListServer(
  options: { readonly pageSize?: number; readonly fail?: boolean } = {},
): Promise<PriceListServer> {
  const { products } = JSON.parse(readFileSync(PRICE_LIST_FIXTURE, 'utf8')) as { products: Product[] };
  const pageSize = options.pageSize ?? 3;
  const requests: PriceListServer['requests'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(json));
      };
      if (req.headers['x-amz-target'] !== 'AWSPriceListService.GetProducts')
        return reply(400, {
          __type: 'InvalidParameterException',
          message: `unknown target ${req.headers['x-amz-target']}`,
        });
      if (!/Credential=\w+\//.test(String(req.headers.authorization)))
        return reply(403, { __type: 'AccessDeniedException', message: 'request is not signed' });
      if (options.fail)
        return reply(400, {
          __type: 'AccessDeniedException',
          message: 'User is not authorized to perform pricing:GetProducts',
        });
      const input = JSON.parse(body) as PriceListServer['requests'][number] & {
        NextToken?: string;
        MaxResults?: number;
      };
      requests.push(input);
      const field = (p: Product, name: string) =>
        name === 'productFamily' ? p.product.productFamily : p.product.attributes[name];
      const matching = products.filter(
        (p) =>
          p.serviceCode === input.ServiceCode &&
          (input.Filters ?? []).every((f) => {
            const value = field(p, f.Field);
            if (value === undefined) return false;
            return f.Type === 'CONTAINS' ? value.includes(f.Value) : value === f.Value;
          }),
      );
      const start = Number(input.NextToken ?? 0);
      const size = Math.min(pageSize, input.MaxResults ?? 100);
      const page = matching.slice(start, start + size);
      reply(200, {
        FormatVersion: 'aws_v1',
        PriceList: page.map((p) => JSON.stringify(p)),
        ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
