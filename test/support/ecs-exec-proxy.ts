import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EcsExecProxy {
  /** Use as AWS_ENDPOINT_URL: everything but ECS Exec goes on to moto. */
  readonly endpoint: string;
  /** The ExecuteCommand requests it answered, as sent. */
  readonly executed: Record<string, unknown>[];
  readonly stop: () => Promise<void>;
}

/** The session ECS hands out for ExecuteCommand, as fake as moto would make it. */
export const FAKE_SESSION = {
  sessionId: 'ecs-execute-command-0123456789abcdef0',
  streamUrl:
    'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0123456789abcdef0',
  tokenValue: 'fake-token',
};

/**
 * moto lacks ECS Exec: ExecuteCommand answers 500, and tasks have neither `runtimeId` on their
 * containers nor `enableExecuteCommand`. This proxy in front of moto answers ExecuteCommand with
 * a session and adds those two fields to DescribeTasks' answer; every other request reaches moto
 * unchanged. Listed in docs/testing.md with the other test-only transforms.
 */
export async function startEcsExecProxy(moto: string): Promise<EcsExecProxy> {
  const executed: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.endsWith('.ExecuteCommand')) {
        const request = JSON.parse(body.toString()) as Record<string, unknown>;
        executed.push(request);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
          JSON.stringify({
            clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${String(request.cluster)}`,
            containerName: request.container,
            interactive: true,
            session: FAKE_SESSION,
            taskArn: request.task,
          }),
        );
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      fetch(`${moto}${req.url}`, { method: req.method!, headers, ...(body.length ? { body } : {}) })
        .then(async (answer) => {
          let text = await answer.text();
          if (target.endsWith('.DescribeTasks') && answer.ok) {
            const parsed = JSON.parse(text) as {
              tasks?: { containers?: Record<string, unknown>[]; [k: string]: unknown }[];
            };
            for (const task of parsed.tasks ?? []) {
              task.enableExecuteCommand = true;
              for (const [i, c] of (task.containers ?? []).entries())
                c.runtimeId = `${String(task.taskArn).split('/').pop()}-${i}`;
            }
            text = JSON.stringify(parsed);
          }
          res
            .writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'application/json',
            })
            .end(text);
        })
        .catch((error: Error) => res.writeHead(502).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    executed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
