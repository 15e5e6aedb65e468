import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeServer, listen, trackConnections } from '../../shared/net.ts';
import { admit, LISTENER_OPTIONS, refuseUnhandled } from './admit.ts';
import { fixed, fixedRaw, Forwarder } from './forward.ts';
import type { TargetGroup } from './target-group.ts';

/** Why a call a service does not declare is refused, and how to declare it. */
export function undeclaredCall(caller: string, callee: string): string {
  return `${caller} does not declare a call to ${callee}: add '${callee}' to services.${caller}.calls in the config (in AWS, ${callee}'s security group drops it)\n`;
}

/**
 * Service Connect for the process engine: a plain-HTTP listener on 127.0.0.1 that balances over
 * a service's healthy tasks, so callers keep one address while tasks come and go. Each caller gets
 * its own listener per callee: one for a call the config declares (`calls`) forwards, one for any
 * other call refuses with 403 and `refusal`, as the callee's security group would drop it in AWS.
 */
export class DiscoveryListener {
  private readonly forwarder = new Forwarder();
  private readonly server: http.Server;
  private readonly sockets: Set<Socket>;
  port = 0;

  constructor(
    private readonly group: TargetGroup,
    refusal?: string,
  ) {
    // The edge's checks before forwarding too: a request the target could not be sent is the
    // caller's error (400), not the target's (502).
    this.server = http.createServer(LISTENER_OPTIONS, (req, res) => {
      const refused = admit(req);
      if (refused) fixed(res, refused);
      else if (refusal !== undefined) forbidden(res, refusal);
      else this.forwarder.forward(req, res, this.group);
    });
    this.sockets = trackConnections(this.server);
    refuseUnhandled(this.server);
    // Service Connect's proxy passes WebSockets too.
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const refused = admit(req) ?? (refusal !== undefined ? 403 : undefined);
      if (refused) fixedRaw(socket, refused);
      else this.forwarder.upgrade(req, socket, head, this.group);
    });
  }

  async listen(port: number): Promise<number> {
    await listen(this.server, port, '127.0.0.1');
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const closing = closeServer(this.server);
    this.server.closeIdleConnections();
    await closing;
  }

  destroy(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

function forbidden(res: http.ServerResponse, message: string): void {
  res.writeHead(403, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
    'cache-control': 'no-store',
  });
  res.end(message);
}
