import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { RELEASE_STRATEGIES } from '../config/choices.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { closeServer, listen } from '../shared/net.ts';
import { HEARTBEAT_MS, NDJSON, type RestartLine } from './control-protocol.ts';
import { TaskFailedError } from './errors.ts';
import type { Notify } from './events.ts';
import type { LocalStatus, RestartOptions } from './status.ts';

/** What the control endpoint asks of the run it serves (the supervisor's LocalRun). */
export interface ControlledRun {
  status(): LocalStatus;
  restart(serviceId: string, options?: RestartOptions): Promise<void>;
  stop(): Promise<void>;
  /** Hears the run's events until the returned function is called. */
  subscribe(notify: Notify): () => void;
}

/**
 * The running supervisor's control endpoint on 127.0.0.1: `GET /status`, `POST /restart/<service>`,
 * `POST /stop`. Callers prove they may use it with the token from `.berth/supervisor.json` (mode 0600).
 */
export class ControlServer {
  private readonly server: http.Server;
  port = 0;

  constructor(
    private readonly run: ControlledRun,
    private readonly token: string,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<number> {
    await listen(this.server, 0, '127.0.0.1');
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const closing = closeServer(this.server);
    this.server.closeAllConnections();
    await closing;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, { error: 'bad token' });
    const url = req.url ?? '/';
    try {
      if (req.method === 'GET' && url === '/status') return reply(200, this.run.status());
      const restart = /^\/restart\/([a-z0-9-]+)$/.exec(url);
      if (req.method === 'POST' && restart) {
        const service = restart[1]!;
        const options = restartOptions(await readBody(req));
        if (req.headers.accept === NDJSON) return await this.streamRestart(res, service, options);
        await this.run.restart(service, options);
        return reply(200, this.run.status());
      }
      if (req.method === 'POST' && url === '/stop') {
        reply(202, { stopping: true });
        void this.run.stop();
        return;
      }
      reply(404, { error: `no ${req.method} ${url}` });
    } catch (err) {
      const { status, ...body } = errorAnswer(err);
      reply(status, body);
    }
  }

  /**
   * A restart that reports as it goes: the service's events as they happen, then its status or
   * its error, one JSON object a line; the HTTP status is 200 either way, sent before the outcome.
   */
  private async streamRestart(
    res: http.ServerResponse,
    service: string,
    options: RestartOptions,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': NDJSON });
    const line = (value: RestartLine) => res.write(`${JSON.stringify(value)}\n`);
    const unsubscribe = this.run.subscribe((event) => {
      if (event.data?.service === service) line({ event });
    });
    const heartbeat = setInterval(() => line({ alive: true }), HEARTBEAT_MS);
    try {
      await this.run.restart(service, options);
      line({ status: this.run.status() });
    } catch (err) {
      const { status: _status, ...body } = errorAnswer(err);
      line(body);
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    }
  }
}

/** The caller rebuilds the same error type from the status and `kind`, for the same exit code. */
function errorAnswer(err: unknown): { status: number; error: string; kind?: string; service?: string } {
  const error = (err as Error).message;
  // Most specific first: both are BerthErrors too.
  if (err instanceof UsageError) return { status: 400, error, kind: 'usage' };
  if (err instanceof TaskFailedError)
    return { status: 422, error, kind: 'task-failed', service: err.service };
  if (err instanceof BerthError) return { status: 400, error, kind: 'user' };
  return { status: 500, error };
}

/** A restart request is a few options; anything larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString();
    if (body.length > MAX_BODY_BYTES) throw new UsageError('the restart request is too large');
  }
  return body;
}

/** Restart options as the CLI's flags say them; a request outside them is a usage error naming the flag. */
const seconds = (flag: string) => {
  const message = `${flag} must be a number of seconds from 0 to 86400`;
  return z.number({ error: message }).min(0, { error: message }).max(86_400, { error: message }).optional();
};
const percent = '--step-percent must be a number from 0.1 to 100';
const RestartRequest = z.object(
  {
    strategy: z
      .enum(RELEASE_STRATEGIES, { error: `--strategy must be one of ${RELEASE_STRATEGIES.join(', ')}` })
      .optional(),
    stepPercent: z
      .number({ error: percent })
      .min(0.1, { error: percent })
      .max(100, { error: percent })
      .optional(),
    stepSeconds: seconds('--step-seconds'),
    bakeSeconds: seconds('--bake-seconds'),
  },
  { error: 'the restart request must be a JSON object of restart options' },
);

/** The restart's options from its JSON body (empty: the config's release as it is). */
export function restartOptions(body: string): RestartOptions {
  if (body.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new UsageError('the restart request is not JSON');
  }
  const parsed = RestartRequest.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  // Only the options given: an absent one leaves the config's release value in place.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
}
