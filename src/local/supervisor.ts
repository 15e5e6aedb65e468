import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from './ports.ts';
import { DEFAULTS, requireService, type ResolvedConfig, type ResolvedService } from '../config/index.ts';
import { checkBaseImageServices, type BaseImageChoice } from '../images/build.ts';
import { requireEmulation, type Platform } from '../images/platform.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { delay, tailFile } from '../shared/net.ts';
import { ControlServer } from './control-server.ts';
import { DiscoveryListener, undeclaredCall } from './edge/discovery.ts';
import { Edge } from './edge/edge.ts';
import { localDomain } from './edge/rules.ts';
import { TargetGroup, type Target, type TargetHealth } from './edge/target-group.ts';
import type { Engine, RunningTask } from './engines/engine.ts';
import { createEngine, DEFAULT_ENGINE, killTasksNow, removeRunLeftovers } from './engines/index.ts';
import { localOverrides, localSecrets } from './environment/local-files.ts';
import { localPlan, type LocalPlan, type LocalPlanOptions } from './plan.ts';
import { serviceEnvironment } from './environment/service-environment.ts';
import { AlreadyRunningError, TaskFailedError } from './errors.ts';
import { silent, type LocalEvent, type Notify } from './events.ts';
import type { LocalStatus, ReleaseStatus, RestartOptions, RunPhase } from './status.ts';
import { release, type ReleaseHost, type ShiftingStrategy } from './release/index.ts';
import { ensureStateDir, statePaths, type StatePaths } from './state/state-dir.ts';
import {
  claimRecord,
  releaseRecord,
  removeStaleRecord,
  writeRecord,
  type SupervisorRecord,
} from './state/supervisor-record.ts';
import { endLeftovers } from './state/leftovers.ts';
import { startTimeOf } from './state/process-identity.ts';
import { ensureEdgeCertificate, trustCommands } from './tls/certificates.ts';

/** The plan's options (engine, scale, edge and discovery ports), and how the run is carried out. */
export interface UpOptions extends LocalPlanOptions {
  /** Health-check interval in ms for every target group, instead of the config's (for tests). */
  readonly healthIntervalMs?: number;
  /**
   * Build arguments for every image the container engines build, over the config's `image.args`;
   * e.g. BUILD_IMAGE and BASE_IMAGE pointing at a private mirror when public registries are out of reach.
   */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /**
   * Bases for the container engines' builds (BUILD_IMAGE, BASE_IMAGE), for every service and per
   * service; they win over `buildArgs`, as in `berth build`.
   */
  readonly baseImages?: BaseImageChoice;
  /**
   * Container engines: the platform to build and run the images for. Another machine's platform
   * (linux/arm64 on x86_64) runs under emulation (qemu-user-static with binfmt_misc). @default this machine's
   */
  readonly platform?: Platform;
  /** How long a new task may take to become healthy. @default 60000 */
  readonly startTimeoutMs?: number;
  readonly notify?: Notify;
}

/**
 * Options that name services must name this config's. Checked before anything starts, and by the
 * CLI before it forks a detached supervisor, so that a typo is a usage error (exit 2) in the foreground.
 */
export function checkUpOptions(
  config: ResolvedConfig,
  options: Pick<
    UpOptions,
    'scale' | 'baseImages' | 'engine' | 'httpPort' | 'httpsPort' | 'discoveryPorts' | 'platform'
  >,
): void {
  if (options.platform) {
    if ((options.engine ?? DEFAULT_ENGINE) === 'process')
      throw new UsageError(
        "--platform needs a container engine (--engine podman or docker); the process engine runs this machine's node",
      );
    requireEmulation(options.platform);
  }
  for (const id of Object.keys(options.scale ?? {}))
    requireService(config, id, { flag: `--scale ${id}=...` });
  checkBaseImageServices(config, options.baseImages);
  checkPortPlan(config, options);
}

/**
 * Two of berth's own listeners on one port would fail as "in use by another program": the edge's
 * two ports, and with the process engine each service's Service Connect listener on the service's
 * own port. Several services on one port is fine on Fargate (a task each), so only `up` refuses it.
 */
function checkPortPlan(
  config: ResolvedConfig,
  options: Pick<UpOptions, 'engine' | 'httpPort' | 'httpsPort' | 'discoveryPorts'>,
): void {
  const owners = new Map<number, string>();
  const claim = (port: number, owner: string, why: string) => {
    if (port === 0) return; // a free port, picked at listen
    const other = owners.get(port);
    if (other) throw new UsageError(`${other} and ${owner} are both ${port}; ${why}`);
    owners.set(port, owner);
  };
  claim(options.httpPort ?? DEFAULT_HTTP_PORT, '--http-port', '');
  claim(
    options.httpsPort ?? DEFAULT_HTTPS_PORT,
    '--https-port',
    'the edge listens on two ports: choose another for one of them',
  );
  if ((options.engine ?? DEFAULT_ENGINE) !== 'process' || options.discoveryPorts === 'free') return;
  for (const service of config.services)
    claim(
      service.port,
      `services.${service.id}.port`,
      "the process engine listens on each service's port for Service Connect: change one, or pass --discovery-ports free",
    );
}

interface TaskEntry {
  readonly task: RunningTask;
  readonly service: ResolvedService;
  readonly logFile: string;
  /** A task of a release under way, until the release completes. */
  green: boolean;
  retiring: boolean;
  /** How the task ended, once it has: `code 3`, `SIGKILL`. */
  exit?: string;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** ECS gives up on a service whose replacement tasks keep failing (its circuit breaker); so do we. */
const MAX_REPLACEMENTS_IN_A_ROW = 3;

/**
 * Runs the config's topology on this machine: the tasks of every service, a target group per
 * service, the edge and Service Connect listeners, and a control endpoint for `restart` and `down`.
 * Resolves once every task is healthy; never prints (events go to `notify`).
 */
export async function up(config: ResolvedConfig, options: UpOptions = {}): Promise<LocalRun> {
  const run = new LocalRun(config, options);
  await run.start();
  return run;
}

export class LocalRun {
  readonly paths: StatePaths;
  readonly runId = randomUUID();
  /** This process's identity beside its PID, recorded so that no other process is taken for it. */
  private readonly startTime = startTimeOf(process.pid);
  private readonly notify: Notify;
  private readonly engine: Engine;
  private readonly groups = new Map<string, TargetGroup>();
  private readonly listeners = new Map<string, DiscoveryListener>();
  /** The process engine's listener per caller and callee (`caller>callee`): forwards a declared call, refuses any other. */
  private readonly callListeners = new Map<string, DiscoveryListener>();
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly desired = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly crashes = new Map<string, number>();
  /** Launches not yet in `tasks` (a restart's, a crash replacement's): a stop waits for them. */
  private readonly launching = new Set<Promise<TaskEntry>>();
  private readonly restarting = new Set<string>();
  /** The releases under way, by service. */
  private readonly releases = new Map<string, ReleaseStatus>();
  /** Who else hears the run's events while they listen (a `berth restart` streaming its progress). */
  private readonly listenersOfEvents = new Set<Notify>();
  /** Ports, rules and task counts, decided before anything starts (and drawn by `berth diagram --local`). */
  private readonly plan: LocalPlan;
  private readonly control: ControlServer;
  private readonly token = randomBytes(24).toString('hex');
  private edge: Edge | undefined;
  private ports = { http: 0, https: 0 };
  private caCertFile = '';
  private phaseValue: RunPhase = 'starting';
  private stopping: Promise<void> | undefined;
  /** Set when a failed start stops a run that had started nothing: the stop says nothing then. */
  private quietStop = false;
  private readonly aborter = new AbortController();
  private resolveStartSettled!: () => void;
  private readonly startSettled = new Promise<void>((resolve) => (this.resolveStartSettled = resolve));
  private claimed = false;
  private resolveStopped!: () => void;
  /** Resolves when the run has stopped, whoever asked (Ctrl-C, `berth down`, a failed start). */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  constructor(
    readonly config: ResolvedConfig,
    private readonly options: UpOptions,
  ) {
    this.paths = statePaths(config.baseDir);
    this.notify = options.notify ?? silent;
    this.engine = createEngine(options.engine ?? DEFAULT_ENGINE, {
      runId: this.runId,
      paths: this.paths,
      app: config.app,
      buildArgs: options.buildArgs ?? {},
      baseImages: options.baseImages ?? {},
      ...(options.platform ? { platform: options.platform } : {}),
      signal: this.aborter.signal,
    });
    this.control = new ControlServer(this, this.token);
    this.plan = localPlan(config, options);
    for (const { service, desired } of this.plan.services) this.desired.set(service.id, desired);
    checkUpOptions(config, options);
  }

  get phase(): RunPhase {
    return this.phaseValue;
  }

  /** @internal Called by `up`. */
  async start(): Promise<void> {
    ensureStateDir(this.paths);
    this.claim();
    let failure: unknown;
    try {
      await this.boot();
    } catch (err) {
      failure = err;
    } finally {
      this.resolveStartSettled();
    }
    if (failure === undefined) return;
    // Read before stopping: the stop itself aborts the start.
    const stoppedFromOutside = this.aborter.signal.aborted;
    // A start that failed before the edge or any task started (a bad local JSON file, a failed
    // build) has nothing to stop that the user saw start: the error alone says what happened.
    this.quietStop =
      !stoppedFromOutside && this.edge === undefined && this.tasks.size === 0 && this.launching.size === 0;
    await this.stop();
    throw stoppedFromOutside && !(failure instanceof TaskFailedError)
      ? new BerthError('stopped before every service was healthy', { cause: failure })
      : failure;
  }

  private async boot(): Promise<void> {
    const aborted = () => this.aborter.signal.throwIfAborted();
    const controlPort = await this.control.listen();
    this.writeRecord(controlPort);
    this.emit('info', 'state.ready', `state in ${this.paths.dir}`, { dir: this.paths.dir });
    const secrets = localSecrets(this.config, this.paths);
    const overrides = localOverrides(this.config, this.paths);
    const tls = await ensureEdgeCertificate(this.paths, this.config.app);
    this.caCertFile = tls.caCertFile;
    if (tls.caCreated)
      this.emit('info', 'tls.ca-created', `created a local certificate authority: ${tls.caCertFile}`, {
        caCertFile: tls.caCertFile,
        trustCommands: trustCommands(tls.caCertFile, this.config.app),
      });
    aborted();
    await this.engine.prepare(this.config, this.notify);
    aborted();
    for (const service of this.config.services) this.groups.set(service.id, this.targetGroup(service));
    await this.listen(tls);
    aborted();
    // A task reaches its own service through that service's listener, any other through its own
    // listener for that call.
    const discovery = (caller: ResolvedService) =>
      Object.fromEntries(
        this.config.services.map((s) => [
          s.id,
          this.engine.discoveryUrl(
            s,
            (this.callListeners.get(`${caller.id}>${s.id}`) ?? this.listeners.get(s.id))?.port,
          ),
        ]),
      );
    this.environments = new Map(
      this.config.services.map((s) => [
        s.id,
        serviceEnvironment(this.config, s, {
          httpsPort: this.ports.https,
          discovery: discovery(s),
          secrets: secrets[s.id] ?? {},
          overrides: overrides[s.id] ?? {},
        }),
      ]),
    );
    // Every launch settles before start does, so that a stop sees every task it must end.
    const launched = await Promise.allSettled(
      this.config.services.flatMap((s) =>
        Array.from({ length: this.desired.get(s.id)! }, () => this.launch(s)),
      ),
    );
    const failed = launched.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    aborted();
    const abort = new Promise<never>((_, reject) =>
      this.aborter.signal.addEventListener('abort', () => reject(this.aborter.signal.reason)),
    );
    abort.catch(() => {});
    await Promise.race([
      Promise.all(launched.map((r) => this.untilHealthy((r as PromiseFulfilledResult<TaskEntry>).value))),
      abort,
    ]);
    this.phaseValue = 'running';
    this.writeRecord(controlPort);
    this.emit('info', 'up.ready', 'all services are healthy', { status: this.status() });
  }

  private environments = new Map<string, Record<string, string>>();

  status(): LocalStatus {
    return {
      app: this.config.app,
      engine: this.engine.name,
      phase: this.phaseValue,
      pid: process.pid,
      stateDir: this.paths.dir,
      edge: { http: `http://127.0.0.1:${this.ports.http}`, https: `https://127.0.0.1:${this.ports.https}` },
      caCertFile: this.caCertFile,
      services: this.config.services.map((s) => ({
        id: s.id,
        desired: this.desired.get(s.id)!,
        urls: this.urls(s),
        discoveryUrl: this.engine.discoveryUrl(s, this.listeners.get(s.id)?.port),
        ...(this.releases.has(s.id) ? { release: this.releases.get(s.id)! } : {}),
        tasks: [...this.tasks.values()]
          .filter((t) => t.service.id === s.id)
          .map(({ task, logFile, green }) => ({
            id: task.id,
            health: this.groups.get(s.id)?.get(task.id)?.health ?? 'draining',
            ...(green ? { green: true as const } : {}),
            host: task.host,
            port: task.port,
            ...(task.pid !== undefined ? { pid: task.pid } : {}),
            ...(task.container !== undefined ? { container: task.container } : {}),
            logFile,
          })),
      })),
    };
  }

  /**
   * Replaces a service's tasks with its release strategy (or `options.strategy`). Rolling is ECS's
   * rolling deployment with minimum healthy 100 % and maximum 200 %: start as many new tasks as
   * run now, wait until they are healthy, then drain and stop the old ones. If a new task does not
   * become healthy the old ones keep serving and the new ones are stopped (the circuit breaker).
   * The others are releases at the edge (`shiftOut`).
   */
  async restart(serviceId: string, options: RestartOptions = {}): Promise<void> {
    const service = this.service(serviceId);
    const strategy = options.strategy ?? service.release.strategy;
    if (strategy !== 'rolling' && !service.route)
      throw new UsageError(
        `'${strategy}' shifts the edge's traffic and ${serviceId} has no route; use --strategy rolling`,
      );
    if (this.phaseValue !== 'running')
      throw new BerthError(`cannot restart ${serviceId} while the run is ${this.phaseValue}`);
    // A second restart would count the first one's new tasks as old ones and double the service.
    if (this.restarting.has(serviceId))
      throw new UsageError(`${serviceId} is already restarting; wait until that restart is done`);
    this.restarting.add(serviceId);
    try {
      if (strategy === 'rolling') await this.rollOut(service);
      else await this.shiftOut(service, strategy, options);
    } finally {
      this.restarting.delete(serviceId);
    }
  }

  private async rollOut(service: ResolvedService): Promise<void> {
    const serviceId = service.id;
    const old = [...this.tasks.values()].filter((t) => t.service.id === serviceId && !t.retiring);
    this.emit('info', 'restart.start', `restarting ${serviceId}: ${old.length} task(s)`, {
      service: serviceId,
    });
    await this.launchHealthy(service, Math.max(old.length, 1), false);
    await Promise.all(old.map((t) => this.retire(t, drainMs(service))));
    this.emit('info', 'restart.done', `restarted ${serviceId}`, { service: serviceId });
  }

  /**
   * Starts `count` new tasks of a service (green ones for a release) and waits until all are
   * healthy; when one fails to start or to become healthy, the others are stopped at once and the
   * old tasks keep serving.
   */
  private async launchHealthy(service: ResolvedService, count: number, green: boolean): Promise<TaskEntry[]> {
    const fresh = await Promise.allSettled(Array.from({ length: count }, () => this.launch(service, green)));
    const started = fresh.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      const failed = fresh.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await Promise.all(started.map((t) => this.untilHealthy(t)));
    } catch (err) {
      await Promise.all(started.map((t) => this.retire(t, 0)));
      throw err;
    }
    return started;
  }

  /**
   * A blue/green, canary or linear release (src/local/release/): green tasks beside the old (blue)
   * ones, verified through a test listener, then traffic shifted at the edge; blue stops last.
   */
  private async shiftOut(
    service: ResolvedService,
    strategy: ShiftingStrategy,
    options: RestartOptions,
  ): Promise<void> {
    const tasksOf = (green: boolean) =>
      [...this.tasks.values()].filter((t) => t.service.id === service.id && !t.retiring && t.green === green);
    const blueCount = tasksOf(false).length;
    const host: ReleaseHost = {
      service,
      group: this.groups.get(service.id)!,
      signal: this.aborter.signal,
      startGreen: async () => {
        const started = await this.launchHealthy(service, Math.max(blueCount, 1), true);
        return started.length;
      },
      retire: async (cohort) => {
        await Promise.all(tasksOf(cohort === 'green').map((t) => this.retire(t, drainMs(service))));
        // Blue is gone: green's tasks are the service's plain tasks from now on.
        if (cohort === 'blue') for (const t of tasksOf(true)) t.green = false;
      },
      openTestListener: async () => ({
        port: await this.edge!.openTestListener(service.id),
        host: this.hostOf(service),
        ca: readFileSync(this.caCertFile),
      }),
      closeTestListener: () => this.edge!.closeTestListener(service.id),
      emit: (level, code, message, data) => {
        this.followRelease(service.id, strategy, code, data);
        this.emit(level, code, message, data);
      },
    };
    const r = service.release;
    // A strategy other than the config's takes its own step defaults (blue-green's step is 100 %).
    const steps =
      strategy !== r.strategy && (strategy === 'canary' || strategy === 'linear')
        ? DEFAULTS.service.release[strategy]
        : r;
    try {
      await release(host, strategy, {
        stepPercent: options.stepPercent ?? steps.stepPercent,
        stepMs: (options.stepSeconds ?? steps.stepMinutes * 60) * 1000,
        bakeMs: (options.bakeSeconds ?? r.bakeMinutes * 60) * 1000,
      });
    } finally {
      this.releases.delete(service.id);
    }
  }

  /** Keeps `berth status`'s view of a release in step with the release's own events. */
  private followRelease(
    serviceId: string,
    strategy: ShiftingStrategy,
    code: LocalEvent['code'],
    data: Record<string, unknown> | undefined,
  ): void {
    const now = this.releases.get(serviceId) ?? { strategy, stage: 'starting green', greenPercent: 0 };
    if (code === 'release.test-traffic') this.releases.set(serviceId, { ...now, stage: 'test traffic' });
    else if (code === 'release.shift')
      this.releases.set(serviceId, { ...now, stage: 'shifting', greenPercent: data!.greenPercent as number });
    else if (code === 'release.bake') this.releases.set(serviceId, { ...now, stage: 'baking' });
    else if (code === 'release.start') this.releases.set(serviceId, now);
  }

  /** Hears the run's events until the returned function is called. */
  subscribe(notify: Notify): () => void {
    this.listenersOfEvents.add(notify);
    return () => this.listenersOfEvents.delete(notify);
  }

  /**
   * Stops in order: the edge stops taking connections, targets drain (up to their deregistration
   * delay), tasks get SIGTERM and their shutdown time, then listeners and the engine's resources go.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const wasStarting = this.phaseValue === 'starting';
    this.phaseValue = 'stopping';
    if (!this.quietStop) this.emit('info', 'stop.start', 'stopping');
    // A stop during start (Ctrl-C while images build or tasks start) waits for start to give up.
    this.aborter.abort(new Error('stopped'));
    if (wasStarting && this.claimed) await this.startSettled;
    // No launch begins once the phase is not 'running'; those already under way join `tasks` first.
    await Promise.allSettled([...this.launching]);
    const edgeClosed = this.edge?.close();
    await Promise.all([...this.tasks.values()].map((t) => this.retire(t, drainMs(t.service))));
    this.edge?.destroy();
    await edgeClosed;
    // The tasks are gone: whatever is still connected to a listener (a WebSocket) is ended now.
    await Promise.all(
      [...this.listeners.values(), ...this.callListeners.values()].map((l) => {
        const closing = l.close();
        l.destroy();
        return closing;
      }),
    );
    for (const group of this.groups.values()) group.close();
    await this.engine.dispose().catch(() => {});
    await this.control.close();
    if (this.claimed) releaseRecord(this.paths);
    this.phaseValue = 'stopped';
    if (!this.quietStop) this.emit('info', 'stop.done', 'stopped; no task is left running');
    this.resolveStopped();
  }

  /**
   * A second Ctrl-C: ends every task now, without draining, and removes the run's containers,
   * network and secrets, synchronously so that it is done before the process exits.
   */
  killNow(): void {
    killTasksNow(this.engine.name, this.taskRefs());
    removeRunLeftovers(this.engine.name, this.runId);
  }

  private claim(): void {
    const placeholder = this.record(0);
    let claim = claimRecord(this.paths, placeholder);
    // `berth up --detach` recorded this process as starting when it started it (startDetached): a
    // placeholder with no run id yet. Another run in this same process (a test's) has its own id.
    if (
      !claim.claimed &&
      'running' in claim &&
      claim.running.pid === process.pid &&
      claim.running.phase === 'starting' &&
      claim.running.runId === ''
    ) {
      writeRecord(this.paths, placeholder);
      claim = { claimed: true };
    }
    if (!claim.claimed && 'running' in claim)
      throw new AlreadyRunningError(claim.running.pid, claim.running.urls, claim.stopped);
    if (!claim.claimed) {
      // A supervisor that was killed leaves its tasks behind; end those that are still ours.
      if (claim.stale) endLeftovers(claim.stale, (e) => this.emit(e.level, e.code, e.message, e.data));
      removeStaleRecord(this.paths, claim.staleText);
      claim = claimRecord(this.paths, placeholder);
      if (!claim.claimed)
        throw 'running' in claim
          ? new AlreadyRunningError(claim.running.pid, claim.running.urls, claim.stopped)
          : new BerthError(`another berth up is claiming ${this.paths.dir}; try again`);
    }
    this.claimed = true;
  }

  private record(controlPort: number): SupervisorRecord {
    return {
      pid: process.pid,
      ...(this.startTime !== undefined ? { startTime: this.startTime } : {}),
      runId: this.runId,
      startedAt: new Date().toISOString(),
      engine: this.engine.name,
      phase: this.phaseValue,
      control: { port: controlPort, token: this.token },
      urls: this.config.services.flatMap((s) => this.urls(s)),
      tasks: this.taskRefs(),
    };
  }

  /** The processes and containers of the running tasks. */
  private taskRefs(): SupervisorRecord['tasks'] {
    return [...this.tasks.values()].map(({ task }) => ({
      ...(task.pid !== undefined ? { pid: task.pid } : {}),
      ...(task.startTime !== undefined ? { startTime: task.startTime } : {}),
      ...(task.container !== undefined ? { container: task.container } : {}),
    }));
  }

  private writeRecord(controlPort = this.control.port): void {
    if (this.phaseValue === 'stopped' || !this.claimed) return;
    writeRecord(this.paths, this.record(controlPort));
  }

  private targetGroup(service: ResolvedService): TargetGroup {
    const hc = service.healthCheck;
    const intervalMs = this.options.healthIntervalMs ?? hc.interval * 1000;
    return new TargetGroup(
      service.id,
      {
        path: hc.path,
        intervalMs,
        timeoutMs: Math.min(hc.timeout * 1000, intervalMs),
        healthyThreshold: hc.healthyThreshold,
        unhealthyThreshold: hc.unhealthyThreshold,
        initialIntervalMs: Math.min(100, intervalMs),
      },
      (target, previous, reason) => this.healthChanged(service, target, previous, reason),
    );
  }

  private healthChanged(
    service: ResolvedService,
    target: Target,
    previous: TargetHealth,
    reason?: string,
  ): void {
    if (target.health === 'healthy')
      this.emit('info', 'task.healthy', `${target.id} is healthy`, {
        service: service.id,
        task: target.id,
        previous,
      });
    else if (target.health === 'unhealthy')
      this.emit('warn', 'task.unhealthy', `${target.id} is unhealthy (${reason}); it gets no traffic`, {
        service: service.id,
        task: target.id,
        reason,
      });
    else if (target.health === 'draining')
      this.emit('info', 'task.draining', `${target.id} is draining`, {
        service: service.id,
        task: target.id,
      });
  }

  private async listen(tls: { readonly key: string; readonly cert: string }): Promise<void> {
    this.edge = new Edge({
      rules: this.plan.edge.rules,
      groups: this.groups,
      tls: { key: tls.key, cert: tls.cert },
      httpPort: this.plan.edge.httpPort,
      httpsPort: this.plan.edge.httpsPort,
    });
    try {
      const ports = await this.edge.listen();
      this.ports = { http: ports.httpPort, https: ports.httpsPort };
    } catch (err) {
      throw busy(err, 'the edge', '--http-port/--https-port');
    }
    this.emit(
      'info',
      'edge.listening',
      `edge on http://127.0.0.1:${this.ports.http} and https://127.0.0.1:${this.ports.https}`,
      {
        httpPort: this.ports.http,
        httpsPort: this.ports.https,
      },
    );
    if (!this.engine.needsDiscoveryListeners) return;
    for (const { service, discoveryPort } of this.plan.services) {
      const listener = new DiscoveryListener(this.groups.get(service.id)!);
      this.listeners.set(service.id, listener);
      try {
        await listener.listen(discoveryPort);
      } catch (err) {
        throw busy(
          err,
          `the Service Connect listener of ${service.id}`,
          `services.${service.id}.port, or let every Service Connect listener take a free port with --discovery-ports free`,
        );
      }
    }
    for (const caller of this.config.services) {
      for (const callee of this.config.services) {
        if (caller === callee) continue;
        const declared = caller.calls.includes(callee.id);
        const listener = new DiscoveryListener(
          this.groups.get(callee.id)!,
          declared ? undefined : undeclaredCall(caller.id, callee.id),
        );
        this.callListeners.set(`${caller.id}>${callee.id}`, listener);
        await listener.listen(0);
      }
    }
  }

  /** Starts one task and registers it with its target group; `green` for a release's new fleet. */
  private launch(service: ResolvedService, green = false): Promise<TaskEntry> {
    const launching = this.startTask(service, green);
    this.launching.add(launching);
    const done = () => this.launching.delete(launching);
    launching.then(done, done);
    return launching;
  }

  private async startTask(service: ResolvedService, green: boolean): Promise<TaskEntry> {
    const n = (this.counters.get(service.id) ?? 0) + 1;
    this.counters.set(service.id, n);
    const taskId = `${service.id}-${n}`;
    const logFile = path.join(this.paths.logs, `${taskId}.log`);
    rmSync(logFile, { force: true });
    this.emit('info', 'task.starting', `starting ${taskId}`, { service: service.id, task: taskId, logFile });
    const task = await this.engine.start({
      service,
      taskId,
      env: this.environments.get(service.id)!,
      logFile,
    });
    const entry: TaskEntry = { task, service, logFile, green, retiring: false };
    this.tasks.set(task.id, entry);
    this.groups.get(service.id)!.register({ id: task.id, host: task.host, port: task.port }, { green });
    this.writeRecord();
    void task.exited.then((exit) => this.exited(entry, exit.code, exit.signal));
    return entry;
  }

  private async untilHealthy(entry: TaskEntry): Promise<void> {
    const group = this.groups.get(entry.service.id)!;
    try {
      await group.waitHealthy(entry.task.id, this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (err) {
      // A task that exits is taken out of its group (`exited`), which ends the wait: say why.
      const reason = entry.exit
        ? `${entry.task.id} exited (${entry.exit}) before it became healthy`
        : (err as Error).message;
      throw new TaskFailedError(
        `${reason}; its output is in ${entry.logFile}`,
        entry.service.id,
        tailFile(entry.logFile),
      );
    }
    this.crashes.set(entry.service.id, 0);
  }

  /** Drains a task out of its group, then stops it within its shutdown time. */
  private async retire(entry: TaskEntry, drainDelayMs: number): Promise<void> {
    if (entry.retiring) return;
    entry.retiring = true;
    await this.groups.get(entry.service.id)?.deregister(entry.task.id, drainDelayMs);
    await entry.task.stop(entry.service.shutdownSeconds * 1000);
    this.tasks.delete(entry.task.id);
    this.writeRecord();
    this.emit('info', 'task.stopped', `${entry.task.id} stopped`, {
      service: entry.service.id,
      task: entry.task.id,
    });
  }

  /** A task that ends on its own is replaced, as ECS replaces a stopped task, unless it keeps failing. */
  private exited(entry: TaskEntry, code: number | null, signal: string | null): void {
    entry.exit = signal ?? `code ${code}`;
    if (entry.retiring) return;
    entry.retiring = true;
    void this.groups.get(entry.service.id)?.deregister(entry.task.id, 0);
    this.tasks.delete(entry.task.id);
    this.writeRecord();
    this.emit(
      'warn',
      'task.exited',
      `${entry.task.id} exited (${signal ?? `code ${code}`}); its output is in ${entry.logFile}`,
      {
        service: entry.service.id,
        task: entry.task.id,
        code,
        signal,
      },
    );
    if (this.phaseValue !== 'running') return;
    const crashes = (this.crashes.get(entry.service.id) ?? 0) + 1;
    this.crashes.set(entry.service.id, crashes);
    if (crashes > MAX_REPLACEMENTS_IN_A_ROW) {
      this.emit(
        'error',
        'task.exited',
        `${entry.service.id} keeps exiting; not replacing it again (see ${entry.logFile})`,
        {
          service: entry.service.id,
        },
      );
      return;
    }
    void delay(500 * crashes)
      // A green task's replacement is green too: it gets the release's share, not all of it.
      .then(() => (this.phaseValue === 'running' ? this.launch(entry.service, entry.green) : undefined))
      .then((fresh) => fresh && this.untilHealthy(fresh))
      .catch((err: Error) =>
        this.emit('error', 'task.exited', `replacing ${entry.task.id} failed: ${err.message}`, {
          service: entry.service.id,
        }),
      );
  }

  /** The host a routed service answers on at the edge, e.g. `api.cruddur.localhost`. */
  private hostOf(service: ResolvedService): string {
    const domain = localDomain(this.config.app);
    return !service.route || service.route.label === '@' ? domain : `${service.route.label}.${domain}`;
  }

  private urls(service: ResolvedService): string[] {
    if (!service.route || !this.edge || !this.ports.https) return [];
    const host = this.hostOf(service);
    const paths = service.route.paths.length ? service.route.paths.map((p) => p.replace(/\*.*$/, '')) : ['/'];
    return paths.map((p) => `${this.edge!.origin(host)}${p}`);
  }

  private service(id: string): ResolvedService {
    return requireService(this.config, id);
  }

  private emit(
    level: LocalEvent['level'],
    code: LocalEvent['code'],
    message: string,
    data?: Record<string, unknown>,
  ): void {
    const event = { level, code, message, ...(data ? { data } : {}) };
    for (const notify of [this.notify, ...this.listenersOfEvents]) {
      try {
        notify(event);
      } catch {
        // A renderer that throws must not stop the run.
      }
    }
  }
}

/** The ALB's deregistration delay for this service: the same normalized value src/infra/constructs/edge.ts uses. */
function drainMs(service: ResolvedService): number {
  return service.deregistrationDelaySeconds * 1000;
}

function busy(err: unknown, what: string, flag: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const port = (err as { port?: number }).port;
  if (code === 'EADDRINUSE')
    return new BerthError(
      `port ${port} for ${what} is in use by another program; free it or choose another with ${flag}`,
      {
        cause: err,
      },
    );
  return err as Error;
}
