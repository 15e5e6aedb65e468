import { spawnSync } from 'node:child_process';
import type { StatePaths } from '../state/state-dir.ts';
import type { Engine, EngineName } from './engine.ts';
import { ContainerEngine } from './container-engine.ts';
import { ProcessEngine } from './process-engine.ts';

export { ENGINE_NAMES, type Engine, type EngineName, type RunningTask, type TaskSpec } from './engine.ts';

export interface EngineContext {
  readonly runId: string;
  readonly paths: StatePaths;
  readonly app: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Aborted when the run stops during start: builds in progress are ended. */
  readonly signal: AbortSignal;
}

export function createEngine(name: EngineName, context: EngineContext): Engine {
  if (name === 'process') return new ProcessEngine(context.runId);
  return new ContainerEngine(name, context);
}

/** Containers named in the record of a supervisor that died. */
export function removeLeftoverContainers(engine: string, containers: readonly string[]): void {
  if (engine !== 'podman' && engine !== 'docker') return;
  spawnSync(engine, ['rm', '--force', '--time', '0', ...containers], { stdio: 'ignore' });
}
