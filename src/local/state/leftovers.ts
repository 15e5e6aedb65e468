import { readFileSync } from 'node:fs';
import { killTasksNow, removeRunLeftovers } from '../engines/index.ts';
import type { StatePaths } from './state-dir.ts';
import { isAlive, readStaleRecord, removeStaleRecord, type SupervisorRecord } from './supervisor-record.ts';

/** What a supervisor that died had left running, now ended. */
export interface Leftovers {
  /** The supervisor that died. */
  readonly pid: number;
  readonly processes: readonly number[];
  /** Listed processes still alive but without the run's marker (a reused PID, or no /proc): left alone. */
  readonly kept: readonly number[];
  readonly containers: number;
}

/**
 * Ends what the record of a supervisor that died lists: its processes that are still its own, its
 * containers, and (container engines) the network and secrets that carry its run id.
 */
export function endLeftovers(stale: SupervisorRecord): Leftovers {
  const alive = stale.tasks.flatMap((t) => (t.pid !== undefined && isAlive(t.pid) ? [t.pid] : []));
  const processes = alive.filter((pid) => startedByRun(pid, stale.runId));
  const containers = stale.tasks.flatMap((t) => (t.container ? [{ container: t.container }] : []));
  killTasksNow(stale.engine, [...processes.map((pid) => ({ pid })), ...containers]);
  // Containers it started after its last record carry its run id too.
  if (stale.runId) removeRunLeftovers(stale.engine, stale.runId);
  return {
    pid: stale.pid,
    processes,
    kept: alive.filter((pid) => !processes.includes(pid)),
    containers: containers.length,
  };
}

/**
 * `berth down` after the supervisor died (killed, out of memory): ends what it left running and
 * removes its record. Undefined when the folder records no run, or a live one.
 */
export async function endStaleRun(paths: StatePaths, timeoutMs = 5_000): Promise<Leftovers | undefined> {
  const stale = readStaleRecord(paths);
  if (!stale) return undefined;
  const left = endLeftovers(stale.record);
  // That record only: one that a berth up has put there in the meantime stays.
  removeStaleRecord(paths, stale.text);
  // SIGKILL is delivered, not waited for: `down` returns once they are gone, as after a drain.
  const deadline = Date.now() + timeoutMs;
  while (left.processes.some(isAlive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20)); // not unref'd: this wait is the command's work
  return left;
}

/**
 * Linux: the process carries the marker of that run, so a reused PID (or another run's task) is never
 * killed. Without /proc, or without a run id in an older record, nothing can be checked: keep it.
 */
function startedByRun(pid: number, runId: string | undefined): boolean {
  if (!runId) return false;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`BERTH_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}
