import http from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Target, TargetGroup } from './target-group.ts';

/** The ALB's idle timeout: a connection, or a target's answer, with no traffic for this long is closed. */
export const IDLE_TIMEOUT_MS = 60_000;

/** The ALB's wording where it differs from Node's status text. */
const ALB_STATUS_TEXT: Record<number, string> = { 503: 'Service Temporarily Unavailable' };

/** The edge's own plain-text answer, like the ALB's fixed responses. */
function fixedAnswer(status: number): { body: string; headers: http.OutgoingHttpHeaders } {
  const body = `${status} ${ALB_STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? ''}\n`;
  return {
    body,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    },
  };
}

/** A plain-text answer from the edge itself, like the ALB's fixed responses. */
export function fixed(res: http.ServerResponse, status: number): void {
  const { body, headers } = fixedAnswer(status);
  res.writeHead(status, headers);
  res.end(body);
}

/** The same fixed answer on a bare connection (an Upgrade request has no ServerResponse), then close. */
export function fixedRaw(socket: Duplex, status: number, extra: http.OutgoingHttpHeaders = {}): void {
  // Node takes its own error listener off a socket it hands to 'upgrade': without one, a client
  // that resets the connection would be an uncaught exception.
  socket.on('error', () => socket.destroy());
  const { body, headers } = fixedAnswer(status);
  socket.write(responseHead(status, { ...headers, ...extra, connection: 'close' }), 'latin1');
  socket.end(body);
  closeAfterAnswer(socket);
}

/**
 * After an answer on a bare connection: read and drop whatever the client still sends, so that
 * the close is not a reset that loses the answer, and close for good if the client never does.
 */
function closeAfterAnswer(socket: Duplex): void {
  socket.resume();
  setTimeout(() => socket.destroy(), 5_000).unref();
}

function responseHead(status: number, headers: http.OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  return `${head}\r\n`;
}

/** Headers that describe one connection, not the message (RFC 9110 section 7.6.1): never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/**
 * Never passed on: X-Forwarded-Proto and -Port are set by the edge, as the ALB sets them; Expect
 * has been answered already (Node's server sends 100 Continue), and undici refuses to send it.
 */
const HANDLED_BY_EDGE = new Set(['x-forwarded-proto', 'x-forwarded-port', 'expect']);
/** Headers a Connection header cannot remove: the ALB keeps them, and the message needs them. */
const END_TO_END = new Set(['host', 'content-length', 'content-type', 'x-forwarded-for']);

export interface ForwarderOptions {
  /** Time a target has to start answering, and between two chunks of its body. @default 60 s, the ALB's idle timeout */
  readonly timeoutMs?: number;
  /**
   * Report each answer's status and time to the group while a release is under way (the edge's
   * production listener, as the ALB's target group metrics count it). @default false
   */
  readonly observe?: boolean;
}

/**
 * Sends requests to a healthy target of a group over the target's undici pool (kept-alive
 * connections, no HTTP parsing here), counting in-flight requests per target so that draining
 * knows when a target is idle. Headers as the ALB passes them: the Host header kept, hop-by-hop
 * headers dropped, the client address appended to X-Forwarded-For, X-Forwarded-Proto and
 * X-Forwarded-Port set to the listener's. A target that cannot be reached gives 502; one that does not answer in
 * time gives 504, as on the ALB.
 *
 * http-proxy-3 did this job first; measured side by side here, undici's dispatcher forwards about
 * twice as many requests per second from one process (docs/local.md, "Performance").
 */
export class Forwarder {
  private readonly timeoutMs: number;
  private readonly observe: boolean;

  constructor(options: ForwarderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? IDLE_TIMEOUT_MS;
    this.observe = options.observe ?? false;
  }

  /** `only: 'green'`: to the new fleet of a release under way, for the test listener. */
  forward(req: http.IncomingMessage, res: http.ServerResponse, group: TargetGroup, only?: 'green'): void {
    const target = only === 'green' ? group.pickGreen() : group.pick();
    if (!target) {
      fixed(res, 503);
      return;
    }
    const options = this.options(req, target);
    options.body = hasBody(req) ? bodyOf(req) : null;
    const started = this.observe && group.observing ? performance.now() : undefined;
    target.pool.dispatch(options, new Exchange(res, group, target, started));
  }

  /**
   * An Upgrade request (a WebSocket), as the ALB passes one: forwarded like any request; when the
   * target answers 101 the two connections are joined and bytes go both ways until either side
   * closes. An open connection counts as in flight, so draining waits for it up to the
   * deregistration delay; any other answer is passed on and the connection closed.
   */
  upgrade(req: http.IncomingMessage, client: Duplex, head: Buffer, group: TargetGroup): void {
    // Node sends every request with an Upgrade header here once there is an 'upgrade' listener.
    // Only a WebSocket is joined; another protocol (h2c) is forwarded as the plain request it also
    // is, which needs it to have no body: berth reads no request body off a bare connection.
    if (hasBody(req)) {
      fixedRaw(client, 400);
      return;
    }
    const target = group.pick();
    if (!target) {
      fixedRaw(client, 503);
      return;
    }
    const options = this.options(req, target);
    if (req.headers.upgrade?.toLowerCase() === 'websocket') options.upgrade = req.headers.upgrade;
    target.pool.dispatch(options, new Tunnel(client, head, group, target, this.timeoutMs));
  }

  private options(req: http.IncomingMessage, target: Target): Dispatcher.DispatchOptions {
    return {
      origin: target.url,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: requestHeaders(req),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    };
  }
}

/**
 * What every request to a target has: it is in flight from now until `finish`, once, and the
 * request to the target can be stopped while undici still owns it.
 */
abstract class TargetRequest implements Dispatcher.DispatchHandler {
  protected upstream: Dispatcher.DispatchController | undefined;
  private done = false;

  constructor(
    protected readonly group: TargetGroup,
    protected readonly target: Target,
    /** The client's side: a request that starts after it has gone is stopped at once. */
    private readonly peer: { readonly destroyed: boolean },
  ) {
    target.inFlight += 1;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.upstream = controller;
    if (this.peer.destroyed) controller.abort(new Error('client closed'));
  }

  /** The target is done with this request: once, whichever way it ends. */
  protected finish(): void {
    if (this.done) return;
    this.done = true;
    this.group.finished(this.target);
  }

  /** The client went away: stop the target's work too. */
  protected stopUpstream(): void {
    if (this.upstream && !this.upstream.aborted) this.upstream.abort(new Error('client closed'));
  }
}

/** undici's handler for an Upgrade request: the target's 101 joins the connections, anything else is relayed. */
class Tunnel extends TargetRequest {
  private answered = false;

  constructor(
    private readonly client: Duplex,
    private readonly head: Buffer,
    group: TargetGroup,
    target: Target,
    private readonly idleMs: number,
  ) {
    super(group, target, client);
    client.on('error', () => client.destroy());
    client.once('close', () => {
      this.finish();
      this.stopUpstream();
    });
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: http.IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.answered = true;
    this.upstream = undefined; // undici has handed the connection over: nothing left to abort
    const client = this.client;
    socket.on('error', () => socket.destroy());
    if (client.destroyed) {
      socket.destroy();
      return;
    }
    client.write(
      responseHead(statusCode, {
        ...responseHeaders(headers),
        connection: 'Upgrade',
        upgrade: headers.upgrade,
      }),
      'latin1',
    );
    if (this.head.length > 0) socket.write(this.head);
    // The ALB's idle timeout applies to WebSockets too: 60 s without a byte either way closes both.
    (client as Socket).setTimeout(this.idleMs, () => client.destroy());
    socket.once('close', () => client.destroy());
    client.once('close', () => socket.destroy());
    socket.pipe(client);
    client.pipe(socket);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: http.IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return;
    this.answered = true;
    this.client.write(
      responseHead(statusCode, { ...responseHeaders(headers), connection: 'close' }),
      'latin1',
    );
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.client.write(chunk);
  }

  onResponseEnd(): void {
    this.upstream = undefined;
    this.finish();
    this.client.end();
    closeAfterAnswer(this.client);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish();
    if (this.answered || this.client.destroyed) this.client.destroy();
    else fixedRaw(this.client, isTimeout(error) ? 504 : 502);
  }
}

/**
 * One request on its way through: undici's handler for the target's answer, and the in-flight count
 * for the target. A class rather than an object literal of closures: this runs for every request.
 */
class Exchange extends TargetRequest {
  /** The Content-Length of the answer; undefined when it has none (chunked). */
  private wholeBodyLength: number | undefined;
  private whole: Buffer | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    group: TargetGroup,
    target: Target,
    /** When the request left, if its answer is to be reported to the group (a release is under way). */
    private readonly started: number | undefined,
  ) {
    super(group, target, res);
    res.once('close', () => {
      this.finish();
      if (!res.writableFinished) this.stopUpstream();
    });
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: http.IncomingHttpHeaders,
  ): void {
    // 1xx (103 Early Hints): the final answer follows on the same request. Not passed on: one
    // writeHead per response here, and the final answer's headers say what the hints did.
    if (statusCode < 200) return;
    if (this.started !== undefined)
      this.group.observe(this.target, statusCode, performance.now() - this.started);
    const length = headers['content-length'];
    this.wholeBodyLength = typeof length === 'string' ? Number(length) : undefined;
    this.res.writeHead(statusCode, responseHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // A body that came whole in its first chunk is sent with `res.end(chunk)`: one write, without
    // corking the socket for a tick. Anything else streams as it comes.
    if (chunk.length === this.wholeBodyLength) {
      this.whole = chunk;
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.res.end(this.whole);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.res.headersSent || this.res.destroyed) return void this.res.destroy();
    const status = isTimeout(error) ? 504 : 502;
    if (this.started !== undefined) this.group.observe(this.target, status, performance.now() - this.started);
    fixed(this.res, status);
  }
}

/**
 * The request body as undici reads it, in a stream of its own: undici destroys the body it was
 * given when the target answers before the body has all been sent (a 413 on a body over its
 * limit), and destroying the request itself would reset the client's connection and lose the
 * answer. Instead the rest of the body is read and dropped, as Node's server does with a body
 * nobody reads, and the client's connection stays usable. A client that goes away mid-body still
 * stops the request to the target.
 */
function bodyOf(req: http.IncomingMessage): PassThrough {
  const body = new PassThrough();
  body.on('error', () => {}); // undici reports the failure to the Exchange
  body.once('close', () => {
    if (req.complete) return;
    req.unpipe(body);
    req.resume();
  });
  req.once('close', () => {
    if (!req.complete) body.destroy(new Error('client closed'));
  });
  return req.pipe(body);
}

/** RFC 9112 section 6.3: a request has a body when it says so with Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function requestHeaders(req: http.IncomingMessage): string[] {
  const named = connectionTokens(req.headers.connection);
  const raw = req.rawHeaders;
  const out: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || HANDLED_BY_EDGE.has(lower) || named.has(lower)) continue;
    if (lower === 'x-forwarded-for')
      forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
    else out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push(
    'x-forwarded-for',
    forwardedFor ? `${forwardedFor}, ${client}` : client,
    'x-forwarded-proto',
    'encrypted' in req.socket ? 'https' : 'http',
    'x-forwarded-port',
    String(req.socket.localPort ?? ''),
  );
  return out;
}

function responseHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: http.OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name) && (named === NONE || !named.has(name)))
      out[name] = value;
  }
  return out;
}

const NONE: ReadonlySet<string> = new Set();

/** Header names listed in a Connection header are hop-by-hop too, but for those the message needs. */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // The common values name no header beyond the hop-by-hop ones: skip the parsing on every request.
  if (value === undefined || value === 'keep-alive' || value === 'close') return NONE;
  const named = new Set(
    [value]
      .flat()
      .flatMap((v) => v.split(','))
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== '' && !END_TO_END.has(t)),
  );
  return named.size === 0 ? NONE : named;
}

function isTimeout(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
