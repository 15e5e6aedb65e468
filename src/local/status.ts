import type { ReleaseStrategy } from '../config/choices.ts';
import type { TargetHealth } from './edge/target-group.ts';
import type { EngineName } from './engines/engine.ts';
import type { ShiftingStrategy } from './release/index.ts';

/**
 * What a running `berth up` says about itself (`berth status`, the control endpoint) and what a
 * restart may ask of it: the supervisor, its control server and the CLI share these shapes.
 */

export type RunPhase = 'starting' | 'running' | 'stopping' | 'stopped';

export interface TaskStatus {
  readonly id: string;
  readonly health: TargetHealth;
  /** A task of the release under way (the new fleet); absent for the others. */
  readonly green?: true;
  readonly host: string;
  readonly port: number;
  readonly pid?: number;
  readonly container?: string;
  readonly logFile: string;
}

export interface ServiceStatus {
  readonly id: string;
  readonly desired: number;
  /** Public URLs through the edge; empty for an internal service. */
  readonly urls: readonly string[];
  /** What other services get as `SERVICE_<NAME>_URL`. */
  readonly discoveryUrl: string;
  readonly tasks: readonly TaskStatus[];
  /** The release under way (blue-green, canary, linear), if there is one. */
  readonly release?: ReleaseStatus;
}

/** Where a release stands, as its events have said. */
export interface ReleaseStatus {
  readonly strategy: ShiftingStrategy;
  readonly stage: 'starting green' | 'test traffic' | 'shifting' | 'baking';
  /** The share of the service's production requests that green gets now. */
  readonly greenPercent: number;
}

export interface LocalStatus {
  readonly app: string;
  readonly engine: EngineName;
  readonly phase: RunPhase;
  readonly pid: number;
  readonly stateDir: string;
  readonly edge: { readonly http: string; readonly https: string };
  readonly caCertFile: string;
  readonly services: readonly ServiceStatus[];
}

/** How one `restart` replaces a service's tasks, over its config's `release`. */
export interface RestartOptions {
  /** The strategy for this restart instead of `release.strategy`. */
  readonly strategy?: ReleaseStrategy;
  /** canary: the share moved first; linear: the share added per step; instead of `release.stepPercent`. */
  readonly stepPercent?: number;
  /** Seconds each canary or linear step is held, instead of `release.stepMinutes` (minutes are long locally). */
  readonly stepSeconds?: number;
  /** Seconds of the bake, instead of `release.bakeMinutes`. */
  readonly bakeSeconds?: number;
}
