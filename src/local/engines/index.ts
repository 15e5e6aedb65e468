import { spawnSync } from 'node:child_process';
import type { Engine, EngineChoice, EngineContext, EngineName } from './engine.ts';
import { BerthError } from '../../shared/errors.ts';
import { ContainerEngine, removeRunResources } from './container-engine.ts';
import { ProcessEngine } from './process-engine.ts';

export {
  DEFAULT_ENGINE,
  ENGINE_CHOICES,
  ENGINE_NAMES,
  type Engine,
  type EngineChoice,
  type EngineContext,
  type EngineName,
  type RunningTask,
  type TaskSpec,
} from './engine.ts';

export function createEngine(choice: EngineChoice, context: EngineContext): Engine {
  const name = choice === 'container' ? detectContainerEngine() : choice;
  if (name === 'process') return new ProcessEngine(context.runId);
  return new ContainerEngine(name, context);
}

/** podman if it runs here, else docker; the error says how to get one. */
function detectContainerEngine(): Exclude<EngineName, 'process'> {
  for (const engine of ['podman', 'docker'] as const) {
    const probe = spawnSync(engine, ['--version'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return engine;
  }
  throw new BerthError(
    'neither podman nor docker is installed; install podman (Debian: apt-get install -y podman runc) or use --engine process',
  );
}

/**
 * Ends tasks at once and synchronously, without drain or grace: those of a supervisor that died, or
 * every task on a second Ctrl-C, when there is no time left for anything asynchronous.
 */
export function killTasksNow(
  engine: string,
  tasks: readonly { readonly pid?: number; readonly container?: string }[],
): void {
  for (const { pid } of tasks) {
    if (pid === undefined) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone in the meantime.
    }
  }
  const containers = tasks.flatMap((t) => (t.container ? [t.container] : []));
  if (containers.length > 0 && isContainerEngine(engine))
    spawnSync(engine, ['rm', '--force', '--time', '0', ...containers], { stdio: 'ignore' });
}

/** A run's containers, network and secrets, at once: those of a supervisor that died, or on a second Ctrl-C. */
export function removeRunLeftovers(engine: string, runId: string): void {
  if (isContainerEngine(engine)) removeRunResources(engine, runId);
}

function isContainerEngine(engine: string): engine is 'podman' | 'docker' {
  return engine === 'podman' || engine === 'docker';
}
