import http from 'node:http';
import { Pool } from 'undici';
import { connectToTarget } from './connect.ts';
import { TrafficSplit, type Cohort } from '../release/traffic-split.ts';

/** ALB target states, plus `draining` for a target that is leaving. */
export type TargetHealth = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** A target group's health check, in milliseconds. */
export interface HealthCheckSettings {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /**
   * Probe period while a target is `initial`. The ALB keeps its full interval there; locally a new
   * task would then wait healthyThreshold x interval (30 s by default) before its first request.
   */
  readonly initialIntervalMs: number;
}

export interface TargetAddress {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** One registered task, with its own keep-alive pool so that draining can close exactly its sockets. */
export class Target implements TargetAddress {
  readonly url: string;
  readonly pool: Pool;
  health: TargetHealth = 'initial';
  /** A task of the new fleet while a release shifts traffic to it (blue/green, canary, linear). */
  green = false;
  inFlight = 0;
  passes = 0;
  failures = 0;
  lastFailure: string | undefined;
  timer: NodeJS.Timeout | undefined;
  idle: (() => void) | undefined;
  /** Called after every change of `health`, and when the group closes. */
  readonly watchers = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
  ) {
    this.url = `http://${host}:${port}`;
    // Connections are kept alive and reused; undici sets TCP_NODELAY on them, as nginx's tcp_nodelay.
    // connectToTarget keeps a target's early answer (a 413 before the whole body was sent).
    this.pool = new Pool(this.url, { connections: 512, pipelining: 1, connect: connectToTarget });
  }
}

export type HealthChange = (target: Target, previous: TargetHealth, reason: string | undefined) => void;

/** Told of every production answer while a release is under way: which fleet, what status, how long. */
export type ResponseObserver = (cohort: Cohort, status: number, ms: number) => void;

/** A release under way in a group: the share of requests green gets, and who counts the answers. */
interface Shift {
  readonly split: TrafficSplit;
  readonly observe: ResponseObserver;
}

/**
 * The local counterpart of an ALB target group: health checks with the group's path, interval,
 * timeout and thresholds; round robin over healthy targets; deregistration with connection draining.
 */
export class TargetGroup {
  private readonly members = new Map<string, Target>();
  /** The healthy targets, kept between changes: `pick` runs on every request. */
  private rotation: Target[] | undefined;
  private next = 0;
  /** During a release: the healthy targets of each fleet, kept between changes as `rotation` is. */
  private fleets: Record<Cohort, Target[]> | undefined;
  private readonly nextOf: Record<Cohort, number> = { blue: 0, green: 0 };
  private shift: Shift | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    readonly healthCheck: HealthCheckSettings,
    private readonly onChange: HealthChange = () => {},
  ) {}

  /** `green`: a task of a release under way, which gets only the release's share of requests. */
  register(address: TargetAddress, options: { readonly green?: boolean } = {}): Target {
    const target = new Target(address.id, address.host, address.port);
    target.green = options.green ?? false;
    this.members.set(target.id, target);
    this.schedule(target, 0);
    return target;
  }

  /** Targets that may take a new request, in registration order. */
  healthy(): Target[] {
    return [...this.members.values()].filter((t) => t.health === 'healthy');
  }

  all(): Target[] {
    return [...this.members.values()];
  }

  get(id: string): Target | undefined {
    return this.members.get(id);
  }

  /**
   * Round robin over healthy targets; undefined when none is healthy (the edge answers 503).
   * During a release the split chooses the fleet first, then round robin within it. A green fleet
   * with no healthy target fails over to blue, which is known good; blue fails over to green only
   * once green has a share, so that a release that has not been verified never gets production traffic.
   */
  pick(): Target | undefined {
    if (this.shift) return this.pickDuringRelease(this.shift);
    const healthy = (this.rotation ??= this.healthy());
    if (healthy.length === 0) return undefined;
    this.next = (this.next + 1) % healthy.length;
    return healthy[this.next];
  }

  /** Round robin over the healthy green targets only: the test listener's pick. */
  pickGreen(): Target | undefined {
    return this.pickIn('green');
  }

  /**
   * Starts a release: from now on `pick` gives green targets the split's share (0 % at first) and
   * every answer is reported to `observe`. Returns the split, whose share the release moves.
   */
  beginRelease(observe: ResponseObserver): TrafficSplit {
    const split = new TrafficSplit(0);
    this.shift = { split, observe };
    this.fleets = undefined;
    return split;
  }

  /**
   * Ends the release. When green won, its targets are the service's plain targets from now on;
   * the losing fleet has drained and left the group before this.
   */
  endRelease(winner: Cohort): void {
    if (winner === 'green') for (const target of this.members.values()) target.green = false;
    this.shift = undefined;
    this.fleets = undefined;
    this.rotation = undefined;
  }

  /** Whether the proxy should time answers for `observe` (only while a release is under way). */
  get observing(): boolean {
    return this.shift !== undefined;
  }

  /** Called by the edge's proxy with each production answer of a target. */
  observe(target: Target, status: number, ms: number): void {
    this.shift?.observe(target.green ? 'green' : 'blue', status, ms);
  }

  /**
   * Resolves once the target is healthy; rejects when it is taken out, when the group closes, or
   * after `timeoutMs`, with the last failure.
   */
  waitHealthy(id: string, timeoutMs: number): Promise<void> {
    const target = this.members.get(id);
    if (!target) return Promise.reject(new Error(`${id} is not registered in ${this.name}`));
    const fail = () =>
      new Error(
        `${id} did not pass ${this.healthCheck.healthyThreshold} health checks on ${this.healthCheck.path} within ${Math.round(timeoutMs / 1000)} s${target.lastFailure ? ` (last: ${target.lastFailure})` : ''}`,
      );
    return new Promise((resolve, reject) => {
      const watch = () => {
        if (target.health === 'healthy') resolve();
        else if (target.health === 'draining' || this.closed) reject(fail());
        else return;
        clearTimeout(timer);
        target.watchers.delete(watch);
      };
      const timer = setTimeout(() => {
        target.watchers.delete(watch);
        reject(fail());
      }, timeoutMs);
      target.watchers.add(watch);
      watch(); // it may be healthy, or leaving, already
    });
  }

  /**
   * Takes a target out: no new requests from now on; resolves when its in-flight requests have
   * finished or `delayMs` (the deregistration delay) has passed, whichever comes first, as the ALB does.
   */
  async deregister(id: string, delayMs: number): Promise<{ drained: boolean }> {
    const target = this.members.get(id);
    if (!target) return { drained: true };
    clearTimeout(target.timer);
    const previous = target.health;
    target.health = 'draining';
    if (previous !== 'draining') this.changed(target, previous, undefined);
    let drained = true;
    if (target.inFlight > 0) {
      drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delayMs);
        target.idle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    }
    this.members.delete(id);
    void target.pool.destroy().catch(() => {});
    return { drained };
  }

  /** Called by the proxy when a request to `target` has finished. */
  finished(target: Target): void {
    target.inFlight -= 1;
    if (target.inFlight === 0) target.idle?.();
  }

  close(): void {
    this.closed = true;
    for (const target of this.members.values()) {
      clearTimeout(target.timer);
      void target.pool.destroy().catch(() => {});
      for (const watch of [...target.watchers]) watch();
    }
    this.members.clear();
    this.rotation = undefined;
    this.fleets = undefined;
  }

  private pickDuringRelease(shift: Shift): Target | undefined {
    const cohort = shift.split.next();
    return (
      this.pickIn(cohort) ??
      (cohort === 'green' || shift.split.greenPercent > 0
        ? this.pickIn(cohort === 'green' ? 'blue' : 'green')
        : undefined)
    );
  }

  private pickIn(cohort: Cohort): Target | undefined {
    this.fleets ??= {
      blue: this.healthy().filter((t) => !t.green),
      green: this.healthy().filter((t) => t.green),
    };
    const fleet = this.fleets[cohort];
    if (fleet.length === 0) return undefined;
    this.nextOf[cohort] = (this.nextOf[cohort] + 1) % fleet.length;
    return fleet[this.nextOf[cohort]];
  }

  private changed(target: Target, previous: TargetHealth, reason: string | undefined): void {
    this.rotation = undefined;
    this.fleets = undefined;
    this.onChange(target, previous, reason);
    for (const watch of [...target.watchers]) watch();
  }

  private schedule(target: Target, delay: number): void {
    if (this.closed) return;
    target.timer = setTimeout(() => void this.probe(target), delay);
  }

  private async probe(target: Target): Promise<void> {
    const failure = await check(target, this.healthCheck);
    if (target.health === 'draining' || this.closed || !this.members.has(target.id)) return;
    const previous = target.health;
    if (failure === undefined) {
      target.failures = 0;
      target.passes += 1;
      if (previous !== 'healthy' && target.passes >= this.healthCheck.healthyThreshold)
        target.health = 'healthy';
    } else {
      target.lastFailure = failure;
      target.passes = 0;
      target.failures += 1;
      // A task that is still starting is not unhealthy yet: ECS gives it a grace period, and the
      // supervisor gives up on it after its own start timeout.
      if (previous === 'healthy' && target.failures >= this.healthCheck.unhealthyThreshold)
        target.health = 'unhealthy';
    }
    if (target.health !== previous) this.changed(target, previous, failure);
    this.schedule(
      target,
      target.health === 'initial' ? this.healthCheck.initialIntervalMs : this.healthCheck.intervalMs,
    );
  }
}

/** One health check as the ALB does it: a fresh connection, GET the path, only 200 passes. */
function check(target: Target, hc: HealthCheckSettings): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: target.host,
        port: target.port,
        path: hc.path,
        agent: false,
        headers: { 'user-agent': 'berth-HealthChecker/1.0', connection: 'close' },
        timeout: hc.timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? undefined : `${hc.path} answered ${res.statusCode}`);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${hc.timeoutMs} ms`)));
    req.on('error', (err) => resolve(`${hc.path}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}
