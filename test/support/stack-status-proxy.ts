import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StackStatusProxy {
  /** Use as AWS_ENDPOINT_URL (it names `localhost`, as moto's TemplateURL handling needs). */
  readonly endpoint: string;
  /** The CloudFormation actions that passed through, in order, with their StackName. */
  readonly actions: { action: string; stack?: string }[];
  readonly stop: () => Promise<void>;
}

/**
 * moto 5.2.1 never leaves a stack in ROLLBACK_COMPLETE: it has no rollback (a resource that fails
 * to create fails the CreateStack call itself, and the stack stays CREATE_IN_PROGRESS), and no
 * API sets a stack's status. This proxy in front of moto reports `stack` (a real stack in moto)
 * as ROLLBACK_COMPLETE to DescribeStacks, as CloudFormation does after a failed first create,
 * until a DeleteStack for it passes through; every request reaches moto unchanged.
 */
export async function startStackStatusProxy(
  moto: string,
  stack: string,
  status = 'ROLLBACK_COMPLETE',
): Promise<StackStatusProxy> {
  const actions: { action: string; stack?: string }[] = [];
  let deleted = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // CloudFormation speaks the query protocol: the action and its parameters are a form body.
      const form = String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')
        ? new URLSearchParams(body.toString())
        : undefined;
      const action = form?.get('Action') ?? undefined;
      // A stack is named by its name or its ARN (the toolkit deletes by ARN): keep the name.
      const given = form?.get('StackName') ?? undefined;
      const stackName = given?.startsWith('arn:') ? given.split('/')[1] : given;
      if (action) actions.push({ action, ...(stackName ? { stack: stackName } : {}) });
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      fetch(`${moto}${req.url}`, { method: req.method!, headers, ...(body.length ? { body } : {}) })
        .then(async (answer) => {
          let text = Buffer.from(await answer.arrayBuffer());
          if (action === 'DeleteStack' && stackName === stack && answer.ok) deleted = true;
          if (action === 'DescribeStacks' && stackName === stack && !deleted && answer.ok)
            text = Buffer.from(
              text
                .toString()
                .replace(/<StackStatus>[A-Z_]+<\/StackStatus>/, `<StackStatus>${status}</StackStatus>`),
            );
          const out = Object.fromEntries(
            [...answer.headers].filter(
              ([k]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(k),
            ),
          );
          res.writeHead(answer.status, out).end(text);
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://localhost:${port}`,
    actions,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
