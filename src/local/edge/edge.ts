import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeServer, listen, trackConnections } from '../../shared/net.ts';
import { admit, LISTENER_OPTIONS, refuseUnhandled } from './admit.ts';
import { fixed, fixedRaw, Forwarder } from './forward.ts';
import { route, type EdgeRules } from './rules.ts';
import { NOT_FOUND } from '../../config/index.ts';
import type { TargetGroup } from './target-group.ts';

export interface EdgeOptions {
  readonly rules: EdgeRules;
  readonly groups: ReadonlyMap<string, TargetGroup>;
  readonly tls: { readonly key: string; readonly cert: string };
  /** Address both listeners bind. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  readonly httpsPort: number;
}

/**
 * The local stand-in for the ALB: HTTP answers 301 to HTTPS; HTTPS applies the listener rules and
 * forwards to a healthy target of the matched group, or answers the fixed 404.
 */
export class Edge {
  /** The production listener's proxy: it reports answers to a group whose release is under way. */
  private readonly forwarder = new Forwarder({ observe: true });
  /** The test listeners' proxy: test traffic is not production traffic, and no alarm counts it. */
  private readonly testForwarder = new Forwarder();
  private readonly testListeners = new Map<string, { server: https.Server; sockets: Set<Socket> }>();
  private readonly http: http.Server;
  private readonly https: https.Server;
  private readonly sockets: Set<Socket>;
  private ports = { http: 0, https: 0 };

  constructor(private readonly options: EdgeOptions) {
    this.https = https.createServer(
      {
        key: options.tls.key,
        cert: options.tls.cert,
        minVersion: 'TLSv1.2',
        ...LISTENER_OPTIONS,
      },
      (req, res) => this.handle(req, res),
    );
    this.http = http.createServer(LISTENER_OPTIONS, (req, res) => this.redirect(req, res));
    // WebSockets: the HTTPS listener forwards the Upgrade by the same rules; HTTP redirects it.
    this.https.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.handleUpgrade(req, socket, head),
    );
    this.http.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
      const location = this.httpsLocation(req);
      if (typeof location === 'string') fixedRaw(socket, 301, { location });
      else fixedRaw(socket, location);
    });
    refuseUnhandled(this.http, this.https);
    this.sockets = trackConnections(this.http, this.https);
  }

  async listen(): Promise<{ httpPort: number; httpsPort: number }> {
    const host = this.options.host ?? '127.0.0.1';
    await listen(this.https, this.options.httpsPort, host);
    await listen(this.http, this.options.httpPort, host);
    this.ports = {
      http: (this.http.address() as AddressInfo).port,
      https: (this.https.address() as AddressInfo).port,
    };
    return { httpPort: this.ports.http, httpsPort: this.ports.https };
  }

  /** Origin of a host under the local domain, e.g. `https://api.cruddur.localhost:8443`. */
  origin(host: string): string {
    return `https://${host}${this.ports.https === 443 ? '' : `:${this.ports.https}`}`;
  }

  /** Stops accepting connections; idle keep-alive connections close now, busy ones when their response is done. */
  async close(): Promise<void> {
    const closing = Promise.all([closeServer(this.http), closeServer(this.https)]);
    this.http.closeIdleConnections();
    this.https.closeIdleConnections();
    await closing;
  }

  /** Ends every connection at once, for the end of a stop when draining time is up. */
  destroy(): void {
    for (const socket of this.sockets) socket.destroy();
    for (const { sockets } of this.testListeners.values()) for (const socket of sockets) socket.destroy();
  }

  /**
   * The ALB's test listener for a release of `service`: HTTPS on a free port of the edge's address,
   * every request to the green targets of the service's group only, whatever its host and path.
   * Only the release's verifier is told the port; production listeners never route to it.
   */
  async openTestListener(service: string): Promise<number> {
    const group = this.options.groups.get(service);
    if (!group) throw new Error(`no target group ${service}`);
    const server = https.createServer(
      { key: this.options.tls.key, cert: this.options.tls.cert, minVersion: 'TLSv1.2', ...LISTENER_OPTIONS },
      (req, res) => {
        const refused = admit(req);
        if (refused) fixed(res, refused);
        else this.testForwarder.forward(req, res, group, 'green');
      },
    );
    refuseUnhandled(server);
    const sockets = trackConnections(server);
    await listen(server, 0, this.options.host ?? '127.0.0.1');
    this.testListeners.set(service, { server, sockets });
    return (server.address() as AddressInfo).port;
  }

  /** Closes the test listener of `service`, and every connection to it. */
  async closeTestListener(service: string): Promise<void> {
    const listener = this.testListeners.get(service);
    if (!listener) return;
    this.testListeners.delete(service);
    const closing = closeServer(listener.server);
    for (const socket of listener.sockets) socket.destroy();
    await closing;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refused = admit(req);
    if (refused) return fixed(res, refused);
    const group = this.groupFor(req);
    if (group) this.forwarder.forward(req, res, group);
    else fixed(res, NOT_FOUND.status);
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const refused = admit(req);
    if (refused) return fixedRaw(socket, refused);
    const group = this.groupFor(req);
    if (group) this.forwarder.upgrade(req, socket, head, group);
    else fixedRaw(socket, NOT_FOUND.status);
  }

  /** The target group of the listener rule the request matches; none for the fixed 404. */
  private groupFor(req: http.IncomingMessage): TargetGroup | undefined {
    const service = route(this.options.rules, req.headers.host, req.url);
    return service === undefined ? undefined : this.options.groups.get(service);
  }

  /** The ALB's HTTP listener action: 301 to the same host, path and query on HTTPS. */
  private redirect(req: http.IncomingMessage, res: http.ServerResponse): void {
    const location = this.httpsLocation(req);
    if (typeof location !== 'string') return fixed(res, location);
    res.writeHead(301, { location, 'content-length': 0 });
    res.end();
  }

  /** Where the 301 points; a status instead for a request the ALB refuses or one without a host to send it to. */
  private httpsLocation(req: http.IncomingMessage): string | 400 | 405 {
    const refused = admit(req);
    if (refused) return refused;
    const host = req.headers.host ?? '';
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
    if (!name) return 400;
    const port = this.ports.https === 443 ? '' : `:${this.ports.https}`;
    return `https://${name}${port}${req.url}`;
  }
}
