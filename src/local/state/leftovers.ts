import { readFileSync } from 'node:fs';
import { killTasksNow, removeRunLeftovers } from '../engines/index.ts';
import type { LocalEvent, Notify } from '../events.ts';
import type { StatePaths } from './state-dir.ts';
import { isAlive, readStaleRecord, removeStaleRecord, type SupervisorRecord } from './supervisor-record.ts';

/**
 * Ends what the record of a supervisor that died lists: its processes that are still its own, its
 * containers, and (container engines) the network and secrets that carry its run id. Says what it
 * did as events, the same for `berth up` and `berth down`; returns the processes it ended.
 */
export function endLeftovers(stale: SupervisorRecord, notify: Notify): readonly number[] {
  const said = (level: LocalEvent['level'], message: string, data?: Record<string, unknown>) =>
    notify({ level, code: 'cleanup.leftover', message, ...(data ? { data } : {}) });
  said('warn', `the supervisor of the last run (pid ${stale.pid}) has died; ending what it left`, {
    pid: stale.pid,
  });
  const alive = stale.tasks.flatMap((t) => (t.pid !== undefined && isAlive(t.pid) ? [t.pid] : []));
  const processes = alive.filter((pid) => startedByRun(pid, stale.runId));
  const containers = stale.tasks.flatMap((t) => (t.container ? [{ container: t.container }] : []));
  killTasksNow(stale.engine, [...processes.map((pid) => ({ pid })), ...containers]);
  // Containers it started after its last record carry its run id too.
  if (stale.runId) removeRunLeftovers(stale.engine, stale.runId);
  for (const pid of processes) said('warn', `ended process ${pid} left by a supervisor that died`, { pid });
  for (const pid of alive.filter((p) => !processes.includes(p)))
    said(
      'warn',
      `left process ${pid} alone: a supervisor that died listed it, but it does not carry that run's marker (a reused PID?)`,
      { pid },
    );
  if (containers.length > 0)
    said('warn', `removed ${containers.length} container(s) left by a supervisor that died`);
  if (alive.length === 0 && containers.length === 0) said('info', 'nothing it started was still running');
  return processes;
}

/**
 * `berth down` after the supervisor died (killed, out of memory): ends what it left running,
 * removes its record, and returns once those processes are gone. False when the folder records no
 * run, or a live one.
 */
export async function endStaleRun(paths: StatePaths, notify: Notify, timeoutMs = 5_000): Promise<boolean> {
  const stale = readStaleRecord(paths);
  if (!stale) return false;
  const processes = endLeftovers(stale.record, notify);
  // That record only: one that a berth up has put there in the meantime stays.
  removeStaleRecord(paths, stale.text);
  // SIGKILL is delivered, not waited for: `down` returns once they are gone, as after a drain.
  const deadline = Date.now() + timeoutMs;
  while (processes.some(isAlive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20)); // not unref'd: this wait is the command's work
  return true;
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
