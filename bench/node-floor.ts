import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { closeServer, listen } from '../src/shared/net.ts';

export interface NodeFloor {
  readonly httpsPort: number;
  stop(): Promise<void>;
}

/**
 * The least a Node.js proxy does per request, for a yardstick: Node's HTTPS server with the same
 * certificate and undici's pool to one upstream, as the edge uses them, and nothing of berth's
 * (no routing, no health, no header rules, no in-flight count, no error answers). The edge's
 * throughput over this one is what berth's own code costs; this one's over direct is the most any
 * edge built on Node's server and undici can reach on the machine.
 */
export async function startNodeFloor(options: {
  upstreamPort: number;
  cert: string;
  key: string;
}): Promise<NodeFloor> {
  const pool = new Pool(`http://127.0.0.1:${options.upstreamPort}`);
  // The edge's TLS and keep-alive settings (src/local/edge/edge.ts).
  const tls = {
    key: options.key,
    cert: options.cert,
    minVersion: 'TLSv1.2',
    keepAliveTimeout: 60_000,
  } as const;
  const server = https.createServer(tls, (req, res) => {
    const body: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: () => {},
      onResponseStart: (_c, status, headers) => void res.writeHead(status, headers),
      // Collected and sent with one end(), as the edge sends a body that arrives whole.
      onResponseData: (_c, chunk) => void body.push(chunk),
      onResponseEnd: () => void res.end(body.length === 1 ? body[0] : Buffer.concat(body)),
      onResponseError: () => void res.destroy(),
    };
    pool.dispatch({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.rawHeaders }, handler);
  });
  // As the edge does (shared/net.ts trackConnections): without it, small answers wait on Nagle.
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  await listen(server, 0, '127.0.0.1');
  return {
    httpsPort: (server.address() as AddressInfo).port,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
      await pool.close();
    },
  };
}
