import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BerthError, UsageError } from '../shared/errors.ts';
import { closeServer, listen } from '../shared/net.ts';
import {
  NotRunningError,
  SupervisorDiedError,
  SupervisorUnreachableError,
  TaskFailedError,
} from './errors.ts';
import type { StatePaths } from './state/state-dir.ts';
import {
  inspectRecord,
  readRecord,
  supervisorState,
  type SupervisorRecord,
} from './state/supervisor-record.ts';
import { RELEASE_STRATEGIES, type ReleaseStrategy } from '../config/choices.ts';
import type { LocalEvent } from './events.ts';
import type { LocalRun, LocalStatus, RestartOptions } from './supervisor.ts';

/** What a streamed restart answers, one JSON object a line: events, then the outcome. */
type RestartLine =
  | { readonly event: LocalEvent }
  | { readonly alive: true }
  | { readonly status: LocalStatus }
  | { readonly error: string; readonly kind?: string; readonly service?: string };

type Outcome = Exclude<RestartLine, { event: LocalEvent } | { alive: true }>;

const NDJSON = 'application/x-ndjson';
/** How often a streamed restart says it is still at work, between its events. */
const HEARTBEAT_MS = 5_000;

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

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString();
    if (body.length > 64 * 1024) throw new UsageError('the restart request is too large');
  }
  return body;
}

/** The restart's options from its JSON body (empty: the config's release as it is). */
function restartOptions(body: string): RestartOptions {
  if (body.trim() === '') return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new UsageError('the restart request is not JSON');
  }
  const { strategy, stepPercent, stepSeconds, bakeSeconds } = parsed;
  if (strategy !== undefined && !RELEASE_STRATEGIES.includes(strategy as ReleaseStrategy))
    throw new UsageError(`--strategy must be one of ${RELEASE_STRATEGIES.join(', ')}`);
  for (const [flag, value] of [
    ['--step-seconds', stepSeconds],
    ['--bake-seconds', bakeSeconds],
  ] as const)
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0) || value > 86_400))
      throw new UsageError(`${flag} must be a number of seconds from 0 to 86400`);
  if (
    stepPercent !== undefined &&
    (typeof stepPercent !== 'number' || !(stepPercent >= 0.1) || stepPercent > 100)
  )
    throw new UsageError('--step-percent must be a number from 0.1 to 100');
  return {
    ...(strategy !== undefined ? { strategy: strategy as ReleaseStrategy } : {}),
    ...(stepPercent !== undefined ? { stepPercent: stepPercent as number } : {}),
    ...(stepSeconds !== undefined ? { stepSeconds: stepSeconds as number } : {}),
    ...(bakeSeconds !== undefined ? { bakeSeconds: bakeSeconds as number } : {}),
  };
}

/** How long a supervisor has to answer a request that asks for no work (status, stop). */
export const CONTROL_TIMEOUT_MS = 5_000;
/**
 * A restart answers once the new tasks are healthy and the old ones have drained, which takes as
 * long as the services' health checks and deregistration delays: this only bounds a hung one.
 * Streamed (as `berth restart` asks), STREAM_SILENCE_MS bounds the silence between two lines instead.
 */
const RESTART_TIMEOUT_MS = 15 * 60_000;
/** A streamed restart without a line (an event or a heartbeat) for this long is hung. */
const STREAM_SILENCE_MS = 60_000;
/** How long `down` waits for a supervisor that was asked to stop to be gone (it drains first). */
const STOP_TIMEOUT_MS = 120_000;
/** How often a pending request checks that the supervisor is alive and not stopped. */
const WATCH_MS = 100;

export interface ControlOptions {
  /** The record, when the caller has read it already. */
  readonly record?: SupervisorRecord;
  /** How long the supervisor has to answer; a request never waits longer. */
  readonly timeoutMs?: number;
}

/** What a request sends beyond its method and route. */
interface RequestExtras {
  readonly body?: unknown;
  /** Asks for a streamed answer (NDJSON) and hears its events. */
  readonly onEvent?: (event: LocalEvent) => void;
}

/**
 * The live supervisor for a state folder (running, stopped or still starting), or undefined when
 * none is recorded or the recorded one is dead (exited, a zombie, or its PID reused).
 */
export function runningSupervisor(paths: StatePaths): SupervisorRecord | undefined {
  const found = inspectRecord(paths);
  return found.state === 'alive' ? found.record : undefined;
}

/**
 * The supervisor that can be asked now (`record`, when the caller has read it), or the error that
 * says why none can: none is recorded, it has died, it is stopped, or it has not opened its
 * control endpoint yet.
 */
export function supervisorToAsk(paths: StatePaths, record = readRecord(paths)): SupervisorRecord {
  if (!record) throw new NotRunningError(paths.dir);
  const now = supervisorState(record);
  if (!now.alive) throw new SupervisorDiedError(paths.dir, record.pid, now.why);
  if (now.stopped) throw new SupervisorUnreachableError(paths.dir, record.pid, 'stopped');
  if (record.control.port === 0) throw new SupervisorUnreachableError(paths.dir, record.pid, 'starting');
  return record;
}

/**
 * Calls the supervisor. Never waits past `timeoutMs`, and gives up at once when the supervisor
 * dies or is stopped while the request is pending: each case is its own BerthError.
 */
async function callSupervisor<T>(
  paths: StatePaths,
  method: 'GET' | 'POST',
  route: string,
  options: ControlOptions = {},
  extras: RequestExtras = {},
): Promise<T> {
  const record = supervisorToAsk(paths, options.record);
  const timeoutMs = options.timeoutMs ?? CONTROL_TIMEOUT_MS;
  const controller = new AbortController();
  let verdict: BerthError | undefined;
  const giveUp = (error: BerthError) => {
    verdict ??= error;
    controller.abort(error);
  };
  const watch = setInterval(() => {
    try {
      supervisorToAsk(paths, record);
    } catch (err) {
      giveUp(err as BerthError);
    }
  }, WATCH_MS);
  let timer: NodeJS.Timeout | undefined;
  // A streamed answer re-arms the timer with every line: a release may take longer than any bound,
  // but the supervisor says it is alive every HEARTBEAT_MS while it runs.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => giveUp(new SupervisorUnreachableError(paths.dir, record.pid, 'hung', timeoutMs)),
      timeoutMs,
    );
  };
  arm();
  let response: Response;
  let body: T & { error?: string; kind?: string; service?: string };
  try {
    response = await fetch(`http://127.0.0.1:${record.control.port}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${record.control.token}`,
        ...(extras.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(extras.onEvent ? { accept: NDJSON } : {}),
      },
      ...(extras.body !== undefined ? { body: JSON.stringify(extras.body) } : {}),
      signal: controller.signal,
    });
    if (extras.onEvent && response.ok) {
      const outcome = await readStream(response, extras.onEvent, arm);
      if ('status' in outcome) body = outcome.status as unknown as typeof body;
      else {
        body = outcome as typeof body;
        response = new Response(null, { status: 400 });
      }
    } else body = (await response.json()) as typeof body;
  } catch (err) {
    if (verdict) throw verdict;
    // Refused: it died just now (then say so), or it is alive with its endpoint closed: it is stopping.
    supervisorToAsk(paths, record);
    throw new SupervisorUnreachableError(paths.dir, record.pid, 'closed', 0, { cause: err });
  } finally {
    clearInterval(watch);
    clearTimeout(timer);
  }
  if (!response.ok) {
    const message = body.error ?? `supervisor answered ${response.status}`;
    if (body.kind === 'usage') throw new UsageError(message);
    if (body.kind === 'user') throw new BerthError(message);
    if (body.kind === 'task-failed') throw new TaskFailedError(message, body.service ?? '', '');
    throw new Error(message);
  }
  return body;
}

export function remoteStatus(paths: StatePaths, options?: ControlOptions): Promise<LocalStatus> {
  return callSupervisor<LocalStatus>(paths, 'GET', '/status', options);
}

/**
 * Restarts a service with its config's release strategy (or `restart`'s); with `onEvent`, hears the
 * restart's progress as it happens.
 */
export function remoteRestart(
  paths: StatePaths,
  service: string,
  options: ControlOptions & {
    readonly restart?: RestartOptions;
    readonly onEvent?: (event: LocalEvent) => void;
  } = {},
): Promise<LocalStatus> {
  const { restart, onEvent, ...control } = options;
  return callSupervisor<LocalStatus>(
    paths,
    'POST',
    `/restart/${encodeURIComponent(service)}`,
    { timeoutMs: onEvent ? STREAM_SILENCE_MS : RESTART_TIMEOUT_MS, ...control },
    { body: restart ?? {}, ...(onEvent ? { onEvent } : {}) },
  );
}

/** Reads a streamed answer: each event to `onEvent`, and the last line (the outcome) returned. */
async function readStream(
  response: Response,
  onEvent: (event: LocalEvent) => void,
  onLine: () => void,
): Promise<Outcome> {
  let buffered = '';
  let outcome: Outcome | undefined;
  const take = (line: string) => {
    if (line.trim() === '') return;
    onLine();
    const value = JSON.parse(line) as RestartLine;
    if ('event' in value) onEvent(value.event);
    else if (!('alive' in value)) outcome = value;
  };
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    lines.forEach(take);
  }
  take(buffered);
  if (!outcome) throw new Error('the supervisor ended the restart without an outcome');
  return outcome;
}

/**
 * Asks the supervisor to stop and waits until its process is gone (it drains first; bounded by
 * `stopTimeoutMs`). Gives up with the reason when it is stopped (SIGSTOP) meanwhile.
 */
export async function remoteStop(
  paths: StatePaths,
  options: ControlOptions & { readonly stopTimeoutMs?: number } = {},
): Promise<{ pid: number }> {
  const record = supervisorToAsk(paths, options.record);
  await callSupervisor(paths, 'POST', '/stop', { ...options, record });
  const stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  const deadline = Date.now() + stopTimeoutMs;
  for (;;) {
    const now = supervisorState(record);
    if (!now.alive) return { pid: record.pid };
    if (now.stopped) throw new SupervisorUnreachableError(paths.dir, record.pid, 'stopped');
    if (Date.now() > deadline)
      throw new SupervisorUnreachableError(paths.dir, record.pid, 'not-stopping', stopTimeoutMs);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * How long `down` waits for a supervisor that is starting to open its control endpoint: it loads
 * the config first, which may take up to the config's load bound (30 s).
 */
const STARTING_TIMEOUT_MS = 60_000;

/**
 * The record of a supervisor that is starting, once it has opened its control endpoint and can be
 * asked to stop; undefined when it exits first (nothing of it is left to stop). The record is
 * re-read: the supervisor rewrites it with its own token and port.
 */
export async function awaitControl(
  paths: StatePaths,
  starting: SupervisorRecord,
  timeoutMs = STARTING_TIMEOUT_MS,
): Promise<SupervisorRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = supervisorState(starting);
    if (!now.alive) return undefined;
    if (now.stopped) throw new SupervisorUnreachableError(paths.dir, starting.pid, 'stopped');
    const record = readRecord(paths);
    if (record?.pid !== starting.pid) return undefined;
    if (record.control.port !== 0) return record;
    if (Date.now() > deadline) throw new SupervisorUnreachableError(paths.dir, starting.pid, 'starting');
    await new Promise((r) => setTimeout(r, WATCH_MS));
  }
}
