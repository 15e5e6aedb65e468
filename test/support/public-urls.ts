import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificates } from './tls.ts';

export interface PublicUrls {
  /** `127.0.0.1:PORT`: deploy's `verify.connectTo`. */
  readonly connectTo: string;
  /** The CA that signed the server's certificate (PEM): deploy's `verify.ca`. */
  readonly ca: string;
  /** Each request as it arrived: the Host header and the path. */
  readonly requests: { host: string; path: string }[];
  readonly stop: () => Promise<void>;
}

/**
 * A local HTTPS server standing in for a deployed app's public URLs (`https://<domain>/`,
 * `https://api.<domain>/...`), with a certificate for those names from a throwaway CA. Deploy's
 * outside check is pointed at it with `verify: { connectTo, ca }`: the request keeps the public
 * host name (SNI, Host, certificate check) and only the address it dials changes.
 */
export async function startPublicUrls(hosts: readonly string[]): Promise<PublicUrls> {
  const certs = await makeCertificates(hosts);
  const requests: { host: string; path: string }[] = [];
  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const host = String(req.headers.host ?? '');
    requests.push({ host, path: req.url ?? '' });
    if (!hosts.includes(host.replace(/:\d+$/, ''))) return void res.writeHead(404).end();
    if (host.startsWith('api.'))
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectTo: `127.0.0.1:${port}`,
    ca: certs.ca,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      certs.remove();
    },
  };
}
