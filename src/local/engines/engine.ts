import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import type { BaseImageChoice } from '../../images/build.ts';
import type { Platform } from '../../images/platform.ts';
import type { Notify } from '../events.ts';
import type { StatePaths } from '../state/state-dir.ts';

/** What an engine needs to know about the run that starts it. */
export interface EngineContext {
  readonly runId: string;
  readonly paths: StatePaths;
  readonly app: string;
  /** Container engines: build arguments for every image, over the config's `image.args`. */
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly baseImages: BaseImageChoice;
  /** Container engines: the platform images are built for and run on. @default this machine's */
  readonly platform?: Platform;
  /** Aborted when the run stops during start: builds in progress are ended. */
  readonly signal: AbortSignal;
}

export const ENGINE_NAMES = ['process', 'podman', 'docker'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
/** What `--engine` accepts: an engine, or `container` for podman if installed, else docker. */
export const ENGINE_CHOICES = [...ENGINE_NAMES, 'container'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export const DEFAULT_ENGINE: EngineChoice = 'process';

/** One task to start: a replica of a service with its environment (without PORT, which the engine sets). */
export interface TaskSpec {
  readonly service: ResolvedService;
  readonly taskId: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
}

export interface TaskExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A started task: where the edge reaches it, how to stop it, and when it ends. */
export interface RunningTask {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly pid?: number;
  /** The process's start time (`startTimeOf`), recorded with its PID so that a reused PID is not taken for it. */
  readonly startTime?: string;
  readonly container?: string;
  readonly exited: Promise<TaskExit>;
  /** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the task is gone. */
  stop(graceMs: number): Promise<void>;
}

/** What runs the tasks: local processes, or containers with Fargate's hardening. */
export interface Engine {
  readonly name: EngineName;
  /** Whether `berth up` must run Service Connect listeners itself (the process engine) or the engine resolves names. */
  readonly needsDiscoveryListeners: boolean;
  /** `SERVICE_<NAME>_URL` of a service; `listenerPort` is its discovery listener, when there is one. */
  discoveryUrl(service: ResolvedService, listenerPort: number | undefined): string;
  /** Builds images, creates networks: everything before the first task. */
  prepare(config: ResolvedConfig, notify: Notify): Promise<void>;
  start(spec: TaskSpec): Promise<RunningTask>;
  /** Removes what `prepare` made. */
  dispose(): Promise<void>;
}
