import type http from 'node:http';
import { createProxyServer } from 'http-proxy-3';
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

/**
 * Sends requests to a healthy target of a group through http-proxy-3, counting in-flight requests
 * per target so that draining knows when a target is idle. `xfwd` adds X-Forwarded-For/-Proto/-Port
 * as the ALB does; the Host header is kept, as the ALB keeps it.
 */
export class Forwarder {
  private readonly proxy = createProxyServer({ xfwd: true, proxyTimeout: 60_000 });

  constructor() {
    this.proxy.on('error', (_err, _req, res) => {
      if (!res || !('writeHead' in res)) {
        res?.destroy();
        return;
      }
      const response = res as http.ServerResponse;
      if (response.headersSent) response.destroy();
      else fixed(response, 502);
    });
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
    target.inFlight += 1;
    res.once('close', () => group.finished(target));
    void this.proxy.web(req, res, { target: target.url, agent: target.agent });
  }

  close(): void {
    this.proxy.close();
  }
}
