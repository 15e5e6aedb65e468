import https from 'node:https';
import type { VerifyRequest } from '../../config/index.ts';

/** The most of a body read to look for `bodyContains`; a check's text is near the start. */
const MAX_BODY = 64 * 1024;
const TIMEOUT_MS = 5_000;

/** Where the verifier sends its requests: the edge's test listener, with the host the service answers on. */
export interface TestTarget {
  readonly port: number;
  /** Host header and TLS server name, e.g. `api.cruddur.localhost`. */
  readonly host: string;
  /** The local CA's certificate, which signed the edge's. */
  readonly ca: string | Buffer;
}

export interface CheckResult {
  readonly request: VerifyRequest;
  /** The status answered; undefined when no answer came. */
  readonly status: number | undefined;
  /** Why it failed, in words; undefined when it passed. */
  readonly failure: string | undefined;
}

/** `GET /verify` */
export function describeCheck(request: VerifyRequest): string {
  return `${request.method} ${request.path}`;
}

/**
 * Sends one verify request through the test listener and judges the answer: the expected status,
 * and the text the body must contain. Never throws: a request that gets no answer fails the check.
 */
export async function runCheck(target: TestTarget, request: VerifyRequest): Promise<CheckResult> {
  let answer: { status: number; body: string };
  try {
    answer = await send(target, request);
  } catch (err) {
    return { request, status: undefined, failure: `no answer (${(err as Error).message})` };
  }
  if (answer.status !== request.status)
    return {
      request,
      status: answer.status,
      failure: `answered ${answer.status}, expected ${request.status}${answer.body ? `: ${excerpt(answer.body)}` : ''}`,
    };
  if (request.bodyContains !== undefined && !answer.body.includes(request.bodyContains))
    return {
      request,
      status: answer.status,
      failure: `answered ${answer.status} without ${JSON.stringify(request.bodyContains)} in its body: ${excerpt(answer.body)}`,
    };
  return { request, status: answer.status, failure: undefined };
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}...` : line);
}

function send(target: TestTarget, request: VerifyRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: request.method,
        path: request.path,
        servername: target.host,
        ca: target.ca,
        agent: false,
        headers: { host: `${target.host}:${target.port}`, 'user-agent': 'berth-verifier/1.0' },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}
