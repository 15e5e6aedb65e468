import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BerthError, UsageError } from '../shared/errors.ts';
import { closeServer, listen } from '../shared/net.ts';
import { NotRunningError, SupervisorDiedError, TaskFailedError } from './errors.ts';
import type { StatePaths } from './state/state-dir.ts';
import { isAlive, readRecord, type SupervisorRecord } from './state/supervisor-record.ts';
import type { LocalRun, LocalStatus } from './supervisor.ts';

/**
 * The running supervisor's control endpoint on 127.0.0.1: `GET /status`, `POST /restart/<service>`,
 * `POST /stop`. Callers prove they may use it with the token from `.berth/supervisor.json` (mode 0600).
 */
export class ControlServer {
  private readonly server: http.Server;
  port = 0;

  constructor(
    private readonly run: LocalRun,
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
        await this.run.restart(restart[1]!);
        return reply(200, this.run.status());
      }
      if (req.method === 'POST' && url === '/stop') {
        reply(202, { stopping: true });
        void this.run.stop();
        return;
      }
      reply(404, { error: `no ${req.method} ${url}` });
    } catch (err) {
      // The caller rebuilds the same error type from the status and `kind`, for the same exit code.
      const message = (err as Error).message;
      // Most specific first: both are BerthErrors too.
      if (err instanceof UsageError) return reply(400, { error: message, kind: 'usage' });
      if (err instanceof TaskFailedError)
        return reply(422, { error: message, kind: 'task-failed', service: err.service });
      if (err instanceof BerthError) return reply(400, { error: message, kind: 'user' });
      reply(500, { error: message });
    }
  }
}

/** The live supervisor for a state folder, or undefined. */
export function runningSupervisor(paths: StatePaths): SupervisorRecord | undefined {
  const record = readRecord(paths);
  return record && isAlive(record.pid) && record.control.port > 0 ? record : undefined;
}

/**
 * Calls the running supervisor (`record`, when the caller has read it already); throws
 * NotRunningError when there is none.
 */
async function callSupervisor<T>(
  paths: StatePaths,
  method: 'GET' | 'POST',
  route: string,
  record = runningSupervisor(paths),
): Promise<T> {
  if (!record) throw notRunning(paths);
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${record.control.port}${route}`, {
      method,
      headers: { authorization: `Bearer ${record.control.token}` },
    });
  } catch (err) {
    throw new NotRunningError(paths.dir, { cause: err });
  }
  const body = (await response.json()) as T & { error?: string; kind?: string; service?: string };
  if (!response.ok) {
    const message = body.error ?? `supervisor answered ${response.status}`;
    if (body.kind === 'usage') throw new UsageError(message);
    if (body.kind === 'user') throw new BerthError(message);
    if (body.kind === 'task-failed') throw new TaskFailedError(message, body.service ?? '', '');
    throw new Error(message);
  }
  return body;
}

/** Why no supervisor answers: none was started, or the recorded one has died. */
function notRunning(paths: StatePaths): BerthError {
  const stale = readRecord(paths);
  return stale && !isAlive(stale.pid)
    ? new SupervisorDiedError(paths.dir, stale.pid)
    : new NotRunningError(paths.dir);
}

export function remoteStatus(paths: StatePaths, record?: SupervisorRecord): Promise<LocalStatus> {
  return callSupervisor<LocalStatus>(paths, 'GET', '/status', record);
}

export function remoteRestart(paths: StatePaths, service: string): Promise<LocalStatus> {
  return callSupervisor<LocalStatus>(paths, 'POST', `/restart/${encodeURIComponent(service)}`);
}

/**
 * Asks the supervisor (`record`, when the caller has read it already) to stop and waits until its
 * process is gone (bounded by `timeoutMs`).
 */
export async function remoteStop(
  paths: StatePaths,
  record = runningSupervisor(paths),
  timeoutMs = 120_000,
): Promise<{ pid: number }> {
  if (!record) throw notRunning(paths);
  await callSupervisor(paths, 'POST', '/stop', record);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record.pid)) {
    if (Date.now() > deadline)
      throw new Error(`supervisor ${record.pid} did not stop within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: record.pid };
}
