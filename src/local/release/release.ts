import type { ReleaseStrategy, ResolvedService } from '../../config/index.ts';
import { releaseChecks } from '../../config/services.ts';
import { sleep } from '../../shared/net.ts';
import { BerthError } from '../../shared/errors.ts';
import type { TargetGroup } from '../edge/target-group.ts';
import type { LocalEvent } from '../events.ts';
import {
  firedAlarms,
  ResponseLog,
  type AlarmSettings,
  type FiredAlarm,
  type WindowCounts,
} from './alarms.ts';
import { shiftSteps } from './plan.ts';
import type { Cohort } from './traffic-split.ts';
import { describeCheck, runCheck, type TestTarget } from './verify.ts';

/** A strategy that shifts traffic between two fleets: all but rolling. */
export type ShiftingStrategy = Exclude<ReleaseStrategy, 'rolling'>;

/**
 * The alarm window, like a CloudWatch alarm's one-minute period, and the requests it must hold
 * before it can fire. Locally the load is whatever the user sends, so a short step may see few.
 */
export const ALARM_WINDOW_MS = 60_000;
export const ALARM_MIN_REQUESTS = 20;
/** How often the alarms are evaluated during a step and the bake. */
const EVALUATION_MS = 200;

export interface ReleaseTimings {
  /** canary: the share moved first; linear: the share added per step. */
  readonly stepPercent: number;
  /** How long each share but the last is held. */
  readonly stepMs: number;
  /** How long green serves everything, with blue still up, before blue stops. */
  readonly bakeMs: number;
}

/** What a release needs from the run it is part of. */
export interface ReleaseHost {
  readonly service: ResolvedService;
  readonly group: TargetGroup;
  /** Starts the green tasks (as many as blue has) and resolves once they are healthy; on failure, stops them and throws. */
  startGreen(): Promise<number>;
  /**
   * Takes a fleet's tasks out of the group (draining) and resolves when they have stopped;
   * in-flight requests finish first, within the deregistration delay.
   */
  retire(cohort: Cohort): Promise<void>;
  openTestListener(): Promise<TestTarget>;
  closeTestListener(): Promise<void>;
  emit(
    level: LocalEvent['level'],
    code: LocalEvent['code'],
    message: string,
    data?: Record<string, unknown>,
  ): void;
  /** Aborted when the run stops: the release ends where it is. */
  readonly signal: AbortSignal;
}

/** Requests of each fleet during the release, for the report. */
export interface ReleaseCounts {
  readonly green: { readonly requests: number; readonly errors: number };
  readonly blue: { readonly requests: number; readonly errors: number };
}

/** A release that did not complete: blue serves everything and green is stopped (exit 1). */
export class ReleaseFailedError extends BerthError {
  constructor(
    message: string,
    readonly service: string,
  ) {
    super(message);
    this.name = 'ReleaseFailedError';
  }
}

/**
 * A release of one service on the local edge, as ECS's blue/green, canary and linear deployments
 * do it: green starts beside blue with no production traffic; the health path and the config's
 * `verify` requests go to green through a test listener; then production traffic moves in the
 * strategy's steps while the alarms watch green's answers; after the bake, blue stops. A failed
 * check stops green before any production request reached it; an alarm moves everything back
 * to blue and stops green. Either way blue serves throughout, and the error says why.
 */
export async function release(
  host: ReleaseHost,
  strategy: ShiftingStrategy,
  timings: ReleaseTimings,
): Promise<ReleaseCounts> {
  const { service, group } = host;
  const id = service.id;
  const r = service.release;
  const steps = shiftSteps(strategy, timings.stepPercent);
  const settings: AlarmSettings = {
    errorRatePercent: r.alarms.errorRatePercent,
    p99Ms: r.alarms.p99Ms,
    minRequests: ALARM_MIN_REQUESTS,
    windowMs: ALARM_WINDOW_MS,
  };
  const logs: Record<Cohort, ResponseLog> = {
    green: new ResponseLog(ALARM_WINDOW_MS),
    blue: new ResponseLog(ALARM_WINDOW_MS),
  };
  const counts = (): ReleaseCounts => ({
    green: { requests: logs.green.requests, errors: logs.green.errors },
    blue: { requests: logs.blue.requests, errors: logs.blue.errors },
  });
  host.emit('info', 'release.start', `releasing ${id}: ${describePlan(strategy, steps, timings)}`, {
    service: id,
    strategy,
    steps,
    stepMs: timings.stepMs,
    bakeMs: timings.bakeMs,
    ...(r.alarms.names.length ? { cloudWatchAlarms: r.alarms.names } : {}),
  });
  if (r.alarms.names.length)
    host.emit(
      'warn',
      'release.start',
      `the CloudWatch alarms ${r.alarms.names.join(', ')} exist in AWS only; locally only the 5xx rate and p99 alarms watch ${id}`,
      { service: id },
    );
  const split = group.beginRelease((cohort, status, ms) =>
    logs[cohort].record({ at: performance.now(), status, ms }),
  );
  let greenStarted = false;
  try {
    await host.startGreen();
    greenStarted = true;
    await verify(host);
    for (const [i, share] of steps.entries()) {
      split.greenPercent = share;
      host.emit('info', 'release.shift', `shifting ${share}% of ${id}'s requests to green`, {
        service: id,
        greenPercent: share,
      });
      const last = i === steps.length - 1;
      if (last)
        host.emit(
          'info',
          'release.bake',
          `baking ${id} for ${seconds(timings.bakeMs)}: blue stays up until then`,
          {
            service: id,
            bakeMs: timings.bakeMs,
          },
        );
      const fired = await watch(host, logs.green, settings, last ? timings.bakeMs : timings.stepMs);
      if (fired) {
        split.greenPercent = 0;
        await rollBack(host);
        const message = rolledBackMessage(id, share, fired, counts());
        host.emit('error', 'release.rolled-back', message, {
          service: id,
          alarms: fired.alarms,
          window: fired.window,
          counts: counts(),
        });
        throw new ReleaseFailedError(message, id);
      }
    }
  } catch (err) {
    if (err instanceof ReleaseFailedError) throw err;
    // Green did not become healthy, or the run is stopping: blue keeps (or ends with) everything.
    split.greenPercent = 0;
    if (greenStarted) await rollBack(host);
    else group.endRelease('blue');
    if (host.signal.aborted)
      throw new BerthError(`the run stopped during the release of ${id}; nothing was released`, {
        cause: err,
      });
    throw err;
  }
  // The release ends once blue has drained, so that blue's last answers are counted too.
  await host.retire('blue');
  group.endRelease('green');
  host.emit('info', 'release.done', `released ${id}: green serves all of its requests, blue is stopped`, {
    service: id,
    counts: counts(),
  });
  return counts();
}

/** The health path, then each `verify` request, through the test listener to green only. */
async function verify(host: ReleaseHost): Promise<void> {
  const { service } = host;
  const checks = releaseChecks(service);
  const target = await host.openTestListener();
  host.emit(
    'info',
    'release.test-traffic',
    `test traffic to ${service.id}'s green tasks on the test listener :${target.port}: ${checks.map(describeCheck).join(', ')}`,
    { service: service.id, port: target.port, checks },
  );
  try {
    for (const check of checks) {
      const result = await runCheck(target, check);
      if (result.failure === undefined) continue;
      await rollBack(host);
      const message = `${service.id}: green failed ${describeCheck(check)} on the test listener: it ${result.failure}; no production request reached green, which is stopped; blue keeps serving`;
      host.emit('error', 'release.verify-failed', message, {
        service: service.id,
        check,
        status: result.status,
        failure: result.failure,
      });
      throw new ReleaseFailedError(message, service.id);
    }
  } finally {
    await host.closeTestListener();
  }
}

/**
 * Stops green, whose share is 0 by now, and gives the group back to blue once green has drained:
 * the answers green was still giving are counted in the report.
 */
async function rollBack(host: ReleaseHost): Promise<void> {
  await host.retire('green');
  host.group.endRelease('blue');
}

/**
 * Evaluates the alarms every EVALUATION_MS for `ms`: what fired and the window it fired on, or
 * undefined when the time ran out quietly. Ends early, with an error, when the run stops.
 */
async function watch(
  host: ReleaseHost,
  green: ResponseLog,
  settings: AlarmSettings,
  ms: number,
): Promise<{ alarms: FiredAlarm[]; window: WindowCounts } | undefined> {
  const until = performance.now() + ms;
  for (;;) {
    host.signal.throwIfAborted();
    const window = green.window(performance.now());
    const alarms = firedAlarms(window, settings);
    if (alarms.length > 0) return { alarms, window };
    const left = until - performance.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(EVALUATION_MS, left), host.signal);
  }
}

function rolledBackMessage(
  id: string,
  share: number,
  fired: { alarms: FiredAlarm[]; window: WindowCounts },
  counts: ReleaseCounts,
): string {
  const alarms = fired.alarms
    .map((a) => `${a.alarm} ${round(a.value)} ${a.unit} > ${a.threshold} ${a.unit}`)
    .join(' and ');
  const w = fired.window;
  return (
    `rolled back ${id} at ${share}% on green: ${alarms} ` +
    `(green in the last ${seconds(ALARM_WINDOW_MS)}: ${w.requests} requests, ${w.errors} 5xx, p99 ${round(w.p99Ms ?? 0)} ms; ` +
    `whole release: green ${counts.green.requests} requests, ${counts.green.errors} 5xx; blue ${counts.blue.requests} requests, ${counts.blue.errors} 5xx); ` +
    `all traffic is on blue again and green is stopped`
  );
}

function describePlan(strategy: ShiftingStrategy, steps: readonly number[], t: ReleaseTimings): string {
  const bake = `bake ${seconds(t.bakeMs)}`;
  if (strategy === 'blue-green') return `blue-green: test traffic, then 100% at once; ${bake}`;
  const shares = steps.map((s) => `${s}%`).join(', ');
  return `${strategy}: test traffic, then ${shares} every ${seconds(t.stepMs)}; ${bake}`;
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${round(ms / 1000)} s`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
