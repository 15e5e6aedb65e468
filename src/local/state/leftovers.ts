import { readFileSync } from 'node:fs';
import { BerthError } from '../../shared/errors.ts';
import { killTasksNow, removeRunLeftovers } from '../engines/index.ts';
import type { LocalEvent, Notify } from '../events.ts';
import { isRunning, processState } from './process-identity.ts';
import type { StatePaths } from './state-dir.ts';
import {
  inspectRecord,
  readStaleRecord,
  removeStaleRecord,
  supervisorState,
  type SupervisorRecord,
} from './supervisor-record.ts';

/**
 * Ends what the record of a supervisor that died lists: its processes that are still its own, its
 * containers, and (container engines) the network and secrets that carry its run id. Says what it
 * did as events, the same for `berth up` and `berth down`; returns the processes it ended.
 * `intro` replaces the first line, for `down --force`, which has just ended the supervisor itself.
 */
export function endLeftovers(stale: SupervisorRecord, notify: Notify, intro?: string): readonly number[] {
  const said = (level: LocalEvent['level'], message: string, data?: Record<string, unknown>) =>
    notify({ level, code: 'cleanup.leftover', message, ...(data ? { data } : {}) });
  said('warn', intro ?? `the supervisor of the last run (pid ${stale.pid}) has died; ending what it left`, {
    pid: stale.pid,
  });
  const listed = stale.tasks.flatMap((t) =>
    t.pid !== undefined ? [{ pid: t.pid, startTime: t.startTime, seenAt: stale.startedAt }] : [],
  );
  const ours: number[] = [];
  const unmarked: number[] = [];
  const reused: number[] = [];
  // A task whose leader has ended (a zombie nobody waits for) may leave children in its group.
  const endedLeaders: number[] = [];
  for (const task of listed) {
    const now = processState(task);
    if (now.alive) (isOurs(task, stale.runId) ? ours : unmarked).push(task.pid);
    else if (now.why === 'reused') reused.push(task.pid);
    else if (now.why === 'zombie' && task.startTime !== undefined) endedLeaders.push(task.pid);
  }
  const containers = stale.tasks.flatMap((t) => (t.container ? [{ container: t.container }] : []));
  killTasksNow(stale.engine, [...[...ours, ...endedLeaders].map((pid) => ({ pid })), ...containers]);
  // Containers it started after its last record carry its run id too.
  if (stale.runId) removeRunLeftovers(stale.engine, stale.runId);
  for (const pid of ours) said('warn', `ended process ${pid} left by a supervisor that died`, { pid });
  for (const pid of unmarked)
    said(
      'warn',
      `left process ${pid} alone: a supervisor that died listed it, but it does not carry that run's marker (a reused PID?)`,
      { pid },
    );
  for (const pid of reused)
    said(
      'warn',
      `left process ${pid} alone: a supervisor that died listed it, but it is another process now (a reused PID)`,
      { pid },
    );
  if (containers.length > 0)
    said('warn', `removed ${containers.length} container(s) left by a supervisor that died`);
  if (ours.length + unmarked.length + reused.length === 0 && containers.length === 0)
    said('info', 'nothing it started was still running');
  return ours;
}

/**
 * `berth down` after the supervisor died (killed, out of memory): ends what it left running,
 * removes its record, and returns once those processes are gone. False when the folder records no
 * run, or a live one.
 */
export async function endStaleRun(paths: StatePaths, notify: Notify, timeoutMs = 5_000): Promise<boolean> {
  const stale = readStaleRecord(paths);
  if (!stale) return false;
  await endRecordedRun(paths, stale, notify, timeoutMs);
  return true;
}

/**
 * `berth down --force`: ends the recorded supervisor at once (SIGKILL), whether it runs, is
 * stopped (SIGSTOP reaches no handler, SIGKILL needs none) or does not answer, then its tasks as
 * after a supervisor that died, without draining. A dead one's leftovers are ended as by
 * `endStaleRun`. False when the folder records no run.
 */
export async function forceEndRun(paths: StatePaths, notify: Notify, timeoutMs = 5_000): Promise<boolean> {
  const found = inspectRecord(paths);
  if (found.state === 'none') return false;
  if (found.state === 'dead') {
    await endRecordedRun(paths, found, notify, timeoutMs);
    return true;
  }
  const { pid } = found.record;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM')
      throw new BerthError(
        `cannot end the supervisor (pid ${pid}): it belongs to another user; run berth down --force as that user`,
        {
          cause: err,
        },
      );
  }
  await until(() => !supervisorState(found.record).alive, timeoutMs);
  // Read again: its last record lists every task it had started, also those since `found`.
  const last = readStaleRecord(paths) ?? found;
  const was = found.stopped ? ', which was stopped' : '';
  await endRecordedRun(
    paths,
    last,
    notify,
    timeoutMs,
    `ended the supervisor (pid ${pid})${was}; ending its tasks`,
  );
  return true;
}

async function endRecordedRun(
  paths: StatePaths,
  recorded: { readonly record: SupervisorRecord; readonly text: string },
  notify: Notify,
  timeoutMs: number,
  intro?: string,
): Promise<void> {
  const processes = endLeftovers(recorded.record, notify, intro);
  // That record only: one that a berth up has put there in the meantime stays.
  removeStaleRecord(paths, recorded.text);
  // SIGKILL is delivered, not waited for: `down` returns once they are gone, as after a drain.
  await until(() => !processes.some((pid) => isRunning({ pid })), timeoutMs);
}

/** Waits (not unref'd: this wait is the command's work) until `done`, at most `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Whether a live listed process is the one the run started. With a start time in the record,
 * `processState` has compared it already; records without one are checked for the run's marker,
 * so a reused PID (or another run's task) is never killed. Without /proc, or without a run id in
 * an older record, nothing can be checked: keep it.
 */
function isOurs(task: { readonly pid: number; readonly startTime?: string }, runId: string): boolean {
  if (task.startTime !== undefined) return true;
  if (!runId) return false;
  try {
    return readFileSync(`/proc/${task.pid}/environ`, 'latin1').split('\0').includes(`BERTH_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}
