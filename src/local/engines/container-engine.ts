import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { buildImages } from '../../images/build.ts';
import { hostPlatform } from '../../images/platform.ts';
import { ToolFailedError } from '../../images/errors.ts';
import { run } from '../../images/run.ts';
import { ImageExposesPort, exposedPortProblem } from '../../images/rules/image-exposes-port.ts';
import { BerthError, UsageError } from '../../shared/errors.ts';
import { delay, freePort } from '../../shared/net.ts';
import { silent, type Notify } from '../events.ts';
import type { Engine, EngineContext, RunningTask, TaskExit, TaskSpec } from './engine.ts';

/** Writable paths of every task; the root filesystem is read-only as on Fargate (Security Hub ECS.5). */
const WRITABLE_PATHS = ['/tmp'];

/**
 * Runs each task as a container with Fargate's hardening: read-only root filesystem, the service's
 * non-root user, tmpfs for the writable paths, every capability dropped, no new privileges, and the
 * config's CPU and memory as limits. Services find each other by name, like Service Connect's
 * `backend:4567`: with podman 4 and netavark each service has a network of its own on which its
 * containers carry its name, and a caller joins the networks of the services it declares in
 * `calls` (and no other), so an undeclared call finds no such host, as in AWS the callee's
 * security group drops it. Callers of one service share its network, and can reach each other
 * there by address. docker, and an older podman, put every container on one network, so they do
 * not refuse undeclared calls (docker 25 takes per-network aliases too; untried, as no docker
 * engine runs where berth is tested).
 */
export class ContainerEngine implements Engine {
  readonly needsDiscoveryListeners = false;
  /** The run's one network (docker), or the prefix of its networks, one per service (podman). */
  private readonly network: string;
  /** A network per service (podman 4 with netavark), else the one network. Decided by prepare(). */
  private networkPerService = false;
  private readonly images = new Map<string, string>();
  /** Where the run's events go; set by prepare(). */
  private notify: Notify = silent;
  private readonly secrets = new Set<string>();

  constructor(
    readonly name: 'podman' | 'docker',
    private readonly context: EngineContext,
  ) {
    this.network = `berth-${context.app}-${context.runId.slice(0, 8)}`;
  }

  discoveryUrl(service: ResolvedService): string {
    return `http://${service.id}:${service.port}`;
  }

  async prepare(config: ResolvedConfig, notify: Notify): Promise<void> {
    this.notify = notify;
    // A missing engine shows in the first build: run() names the tool and how to install it.
    await this.buildImages(config, notify);
    await this.checkPorts(config);
    this.networkPerService = this.name === 'podman' && (await this.podmanIsolates());
    const networks = this.networkPerService
      ? config.services.map((s) => this.networkOf(s.id))
      : [this.network];
    for (const network of networks)
      await this.cli(['network', 'create', '--label', `berth.run=${this.context.runId}`, network]);
  }

  /**
   * Whether this podman gives a container an alias on one network and not on another (podman 4
   * with netavark); with CNI an alias holds only on a container's first network, and podman 3
   * takes no per-network alias at all. Said when it cannot, and the run keeps one network.
   */
  private async podmanIsolates(): Promise<boolean> {
    const info = await this.cli(['info', '--format', '{{.Version.Version}} {{.Host.NetworkBackend}}']).catch(
      () => '',
    );
    const [version = '', backend = ''] = info.trim().split(' ');
    if (isolatingPodman(version, backend)) return true;
    this.notify({
      level: 'warn',
      code: 'engine.network',
      message: `podman ${version || '(version unknown)'} with ${backend || 'an unknown network backend'} cannot keep services apart by network (that takes podman 4 with netavark): every container shares one network, and an undeclared call is not refused`,
      data: { version, backend },
    });
    return false;
  }

  /** The network on which a service's containers answer to its name (podman). */
  private networkOf(serviceId: string): string {
    return `${this.network}-${serviceId}`;
  }

  /** Where a service's containers are attached, and under which name. */
  private networkArgs(service: ResolvedService): string[] {
    if (!this.networkPerService) return ['--network', this.network, '--network-alias', service.id];
    return [
      '--network',
      `${this.networkOf(service.id)}:alias=${service.id}`,
      // The callees' networks without an alias: the caller reaches them, they do not reach it.
      ...service.calls
        .filter((callee) => callee !== service.id)
        .flatMap((callee) => ['--network', this.networkOf(callee)]),
    ];
  }

  async start(spec: TaskSpec): Promise<RunningTask> {
    const { service } = spec;
    const hostPort = await freePort();
    const container = `berth-${this.context.app}-${spec.taskId}-${this.context.runId.slice(0, 8)}`;
    const env: Record<string, string> = { ...spec.env, PORT: String(service.port) };
    const secretArgs = this.name === 'podman' ? await this.secretArgs(service, env) : [];
    const args = [
      'run',
      '--detach',
      '--name',
      container,
      '--label',
      `berth.run=${this.context.runId}`,
      ...this.networkArgs(service),
      '--read-only',
      ...(this.name === 'podman' ? ['--read-only-tmpfs=false'] : []),
      ...WRITABLE_PATHS.flatMap((p) => ['--tmpfs', `${p}:rw,nosuid,nodev,noexec,size=64m`]),
      '--user',
      `${service.user}:${service.user}`,
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--cpus',
      String(service.cpu / 1024),
      '--memory',
      `${service.memory}m`,
      '--stop-timeout',
      String(service.shutdownSeconds),
      '--publish',
      `127.0.0.1:${hostPort}:${service.port}`,
      // Names only: the values reach the container from this CLI's environment, not its command line.
      ...Object.keys(env).flatMap((k) => ['--env', k]),
      ...secretArgs,
      ...(this.context.platform && this.context.platform !== hostPlatform()
        ? ['--platform', this.context.platform]
        : []),
      this.images.get(service.id)!,
    ];
    await this.cli(args, { env });
    const log = openSync(spec.logFile, 'a');
    const follower = spawn(this.name, ['logs', '--follow', container], { stdio: ['ignore', log, log] });
    closeSync(log);
    follower.on('error', () => {});
    const waiter = spawn(this.name, ['wait', container], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    waiter.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<TaskExit>((resolve) =>
      waiter.once('close', () => {
        follower.kill();
        const code = Number.parseInt(out.trim(), 10);
        resolve({ code: Number.isNaN(code) ? null : code, signal: null });
      }),
    );
    if (this.name === 'podman') this.watchHealth(container, spec.taskId, service, exited);
    return {
      id: spec.taskId,
      host: '127.0.0.1',
      port: hostPort,
      container,
      exited,
      stop: async (graceMs) => {
        await this.cli(['stop', '--time', String(Math.ceil(graceMs / 1000)), container]).catch(() => {});
        await Promise.race([exited, delay(5_000)]);
        await this.cli(['rm', '--force', container]).catch(() => {});
      },
    };
  }

  async dispose(): Promise<void> {
    removeRunResources(this.name, this.context.runId);
  }

  /**
   * The image's HEALTHCHECK, run the way ECS runs a container health check: podman runs it only on a
   * systemd timer, so berth runs it at the config's interval, and after `unhealthyThreshold` failures
   * in a row stops the container; the supervisor then replaces the task, as ECS replaces it.
   */
  private watchHealth(
    container: string,
    taskId: string,
    service: ResolvedService,
    exited: Promise<TaskExit>,
  ): void {
    const threshold = service.healthCheck.unhealthyThreshold;
    let failures = 0;
    let done = false;
    void exited.then(() => (done = true));
    const tick = async () => {
      if (done) return;
      const ok = await this.cli(['healthcheck', 'run', container]).then(
        () => true,
        // Exit 1 is a failed check; other errors (no HEALTHCHECK in the image, container gone) are not.
        (err: unknown) => !(err instanceof ToolFailedError && err.toolExitCode === 1),
      );
      failures = ok ? 0 : failures + 1;
      // Said for each failure, so that a stop that follows is explained, as ECS shows the health status.
      if (!ok && !done)
        this.notify({
          level: 'warn',
          code: 'task.check-failed',
          message: `${taskId}: its container health check failed (${failures} of ${threshold} in a row)`,
          data: { task: taskId, failures, threshold },
        });
      if (failures >= threshold && !done) {
        await this.cli(['stop', '--time', String(service.shutdownSeconds), container]).catch(() => {});
        return;
      }
      if (!done) setTimeout(() => void tick(), service.healthCheck.interval * 1000).unref();
    };
    setTimeout(() => void tick(), service.healthCheck.interval * 1000).unref();
  }

  /**
   * The same images as `berth build` (same tags, OCI labels, Docker format that keeps HEALTHCHECK),
   * with `--build-arg`s over the config's; services with an image reference run that.
   */
  private async buildImages(config: ResolvedConfig, notify: Notify): Promise<void> {
    for (const service of config.services)
      if (service.image.kind === 'ref') this.images.set(service.id, service.image.ref);
    let building: string | undefined;
    const built = await buildImages(config, {
      engine: this.name,
      // The image of the platform the tasks run on here, whatever the config deploys to.
      platforms: [this.context.platform ?? hostPlatform()],
      buildArgs: this.context.buildArgs,
      baseImages: this.context.baseImages,
      logDir: this.context.paths.logs,
      signal: this.context.signal,
      notify: (event) => {
        const code = { 'build.start': 'image.build', 'build.done': 'image.built' } as const;
        if (event.code === 'build.start')
          building = (event.data as { service?: string } | undefined)?.service;
        if (event.code === 'build.start' || event.code === 'build.done')
          notify({ ...event, code: code[event.code] });
      },
    }).catch((err: Error) => {
      // Images build one after another: the one that failed is the last one started.
      const log = path.join(this.context.paths.logs, `build-${building ?? '<service>'}.log`);
      throw new BerthError(
        `building ${building ? `the image of ${building}` : 'the images'} failed; the output is in ${log}\n${err.message}`,
        { cause: err },
      );
    });
    for (const image of built) this.images.set(image.service, image.ref);
  }

  /**
   * A task whose image listens on another port than the config's would never pass a health check,
   * and the reason would be buried in the engine's health log: `berth check --images` reports it
   * (ImageExposesPort), and `up` refuses to start with the same words. Images that EXPOSE nothing
   * say nothing about their port, so they start.
   */
  private async checkPorts(config: ResolvedConfig): Promise<void> {
    for (const service of config.services) {
      const ref = this.images.get(service.id);
      if (ref === undefined) continue;
      const json = await this.cli(['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', ref]);
      const exposed = Object.keys(
        (JSON.parse(json.trim() || 'null') as Record<string, unknown> | null) ?? {},
      );
      const problem =
        exposed.length === 0 ? undefined : exposedPortProblem(exposed, service.port, service.id);
      if (problem) throw new UsageError(`${problem}. ${ImageExposesPort.fix}`);
    }
  }

  /** Podman secrets, injected as variables at start like ECS `secrets`, so they stay out of `inspect`. */
  private async secretArgs(service: ResolvedService, env: Record<string, string>): Promise<string[]> {
    const args: string[] = [];
    for (const variable of Object.keys(service.secrets)) {
      const value = env[variable];
      if (value === undefined) continue;
      delete env[variable];
      const name = `${secretPrefix(this.context.runId)}${service.id}-${variable}`.toLowerCase();
      if (!this.secrets.has(name)) {
        await this.cli(['secret', 'create', name, '-'], { input: value });
        this.secrets.add(name);
      }
      args.push('--secret', `${name},type=env,target=${variable}`);
    }
    return args;
  }

  /**
   * Runs the engine's CLI (images/run.ts); resolves with stdout. `env` is added to the CLI's own
   * environment (values for `--env NAME`), `input` goes to its stdin.
   */
  private async cli(
    args: readonly string[],
    { input, env }: { input?: string; env?: Record<string, string> } = {},
  ): Promise<string> {
    const options = {
      ...(input !== undefined ? { input } : {}),
      ...(env ? { env: { ...process.env, ...env } } : {}),
    };
    return (await run(this.name, args, options)).stdout;
  }
}

/** podman 4 or later with netavark: aliases per network, so services can be kept apart by network. */
export function isolatingPodman(version: string, backend: string): boolean {
  return Number.parseInt(version, 10) >= 4 && backend === 'netavark';
}

/** Podman secrets of a run are named `<prefix><service>-<variable>`. */
function secretPrefix(runId: string): string {
  return `berth-${runId.slice(0, 8)}-`;
}

/**
 * Removes, synchronously, everything a run made in a container engine: its containers and network
 * (by their `berth.run` label) and its podman secrets (by name). For a supervisor that died, and for
 * a second Ctrl-C.
 */
export function removeRunResources(engine: 'podman' | 'docker', runId: string): void {
  const list = (args: string[]) =>
    (spawnSync(engine, args, { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  const remove = (args: string[]) => spawnSync(engine, args, { stdio: 'ignore' });
  const label = `label=berth.run=${runId}`;
  const containers = list(['ps', '--all', '--quiet', '--filter', label]);
  if (containers.length > 0) remove(['rm', '--force', '--time', '0', ...containers]);
  const networks = list(['network', 'ls', '--quiet', '--filter', label]);
  if (networks.length > 0) remove(['network', 'rm', '--force', ...networks]);
  if (engine !== 'podman') return;
  const secrets = list(['secret', 'ls', '--format', '{{.Name}}']).filter((n) =>
    n.startsWith(secretPrefix(runId)),
  );
  if (secrets.length > 0) remove(['secret', 'rm', ...secrets]);
}
