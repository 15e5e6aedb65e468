import type http from 'node:http';
import type { Dispatcher } from 'undici';
import type { Target, TargetGroup } from './target-group.ts';

const STATUS_TEXT: Record<number, string> = {
  404: 'Not Found',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Timeout',
};

/** A plain-text answer from the edge itself, like the ALB's fixed responses. */
export function fixed(res: http.ServerResponse, status: number): void {
  const body = `${status} ${STATUS_TEXT[status] ?? ''}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
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

  constructor(options: ForwarderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  forward(req: http.IncomingMessage, res: http.ServerResponse, group: TargetGroup): void {
    const target = group.pick();
    if (!target) {
      fixed(res, 503);
      return;
    }
    this.send(req, res, group, target);
  }

  private send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    group: TargetGroup,
    target: Target,
  ): void {
    let upstream: Dispatcher.DispatchController | undefined;
    target.inFlight += 1;
    res.once('close', () => {
      group.finished(target);
      // The client went away before the answer was complete: stop the target's work too.
      if (!res.writableFinished && upstream && !upstream.aborted) upstream.abort(new Error('client closed'));
    });
    target.pool.dispatch(
      {
        origin: target.url,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: requestHeaders(req),
        body: hasBody(req) ? req : null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      },
      {
        onRequestStart(controller) {
          upstream = controller;
          if (res.destroyed) controller.abort(new Error('client closed'));
        },
        onResponseStart(controller, statusCode, headers) {
          res.writeHead(statusCode, responseHeaders(headers));
        },
        onResponseData(controller, chunk) {
          if (!res.write(chunk)) {
            controller.pause();
            res.once('drain', () => controller.resume());
          }
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError(_controller, error) {
          if (res.headersSent || res.destroyed) res.destroy();
          else fixed(res, isTimeout(error) ? 504 : 502);
        },
      },
    );
  }
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
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
}

/** Header names listed in a Connection header are hop-by-hop too, but for those the message needs. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  if (value === undefined) return new Set();
  return new Set(
    [value]
      .flat()
      .flatMap((v) => v.split(','))
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== '' && !END_TO_END.has(t)),
  );
}

function isTimeout(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
