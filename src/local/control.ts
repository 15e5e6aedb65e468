import { BerthError, UsageError } from '../shared/errors.ts';
import { NDJSON, type Outcome, type RestartLine } from './control-protocol.ts';
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
import type { LocalEvent } from './events.ts';
import type { LocalStatus, RestartOptions } from './status.ts';

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
