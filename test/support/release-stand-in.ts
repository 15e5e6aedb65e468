import http from 'node:http';
import { closeServer, freePort, listen } from '../../src/shared/net.ts';

/**
 * A stand-in for the AWS APIs a release reads and moto 5.2.1 lacks (ECS ListServiceDeployments,
 * DescribeServiceDeployments, StopServiceDeployment), plus the few ECS, CloudWatch and Logs calls
 * around them, speaking their JSON protocols to the real SDK clients. Each answer comes from the
 * test's script; every call is recorded. It proves berth's reading of these APIs, not AWS itself
 * (docs/testing.md).
 */
export interface StandIn {
  readonly endpoint: string;
  /** `Service.Operation` and the request body of every call, in order. */
  readonly calls: { readonly target: string; readonly body: any }[];
  /** Forgets the calls, so each operation's script starts again at call 0. */
  readonly reset: () => void;
  readonly stop: () => Promise<void>;
}

/**
 * Answers per `X-Amz-Target` operation name (e.g. `DescribeServiceDeployments`), a function of the
 * request and of how many calls came before; `{ __type, message }` answers as an AWS error.
 */
export type Script = Record<string, (body: any, call: number) => unknown>;

export async function startStandIn(script: Script): Promise<StandIn> {
  const calls: StandIn['calls'] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.split('.').pop() ?? '';
      const body = raw ? JSON.parse(raw) : {};
      calls.push({ target, body });
      const n = counts.get(operation) ?? 0;
      counts.set(operation, n + 1);
      const answer = script[operation];
      const type = target.startsWith('GraniteService')
        ? 'application/x-amz-json-1.0'
        : 'application/x-amz-json-1.1';
      if (!answer) {
        res.writeHead(400, { 'content-type': type });
        res.end(
          JSON.stringify({ __type: 'UnknownOperationException', message: `stand-in has no ${operation}` }),
        );
        return;
      }
      const out = (answer(body, n) ?? {}) as { __type?: string };
      // An answer with `__type` is an AWS error, as the service would send it.
      res.writeHead(out.__type ? 400 : 200, { 'content-type': type });
      res.end(JSON.stringify(out));
    });
  });
  const port = await freePort();
  await listen(server, port, '127.0.0.1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    reset: () => {
      calls.length = 0;
      counts.clear();
    },
    stop: () => closeServer(server),
  };
}
