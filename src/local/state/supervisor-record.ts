import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import type { StatePaths } from './state-dir.ts';

/** What a running supervisor writes about itself, so that other commands can find and talk to it. */
export interface SupervisorRecord {
  readonly pid: number;
  /** The run's marker: its processes carry `BERTH_RUN_ID=<runId>`, its containers the label `berth.run=<runId>`. */
  readonly runId: string;
  readonly startedAt: string;
  readonly engine: string;
  readonly phase: string;
  readonly control: { readonly port: number; readonly token: string };
  readonly urls: readonly string[];
  /** Processes and containers it started, so a later run can clean up after a supervisor that was killed. */
  readonly tasks: readonly { readonly pid?: number; readonly container?: string }[];
}

export function readRecord(paths: StatePaths): SupervisorRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths.supervisor, 'utf8')) as SupervisorRecord;
  } catch {
    return undefined;
  }
}

/** Atomic write: readers never see half a file. Mode 0600 because it holds the control token. */
export function writeRecord(paths: StatePaths, record: SupervisorRecord): void {
  const tmp = `${paths.supervisor}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, paths.supervisor);
}

/**
 * Claims the state folder for this process. `wx` makes two racing `berth up` runs see each other.
 * Returns the record of a live supervisor instead when there is one.
 */
export function claimRecord(
  paths: StatePaths,
  record: SupervisorRecord,
): { claimed: true } | { claimed: false; running?: SupervisorRecord; stale?: SupervisorRecord } {
  try {
    writeFileSync(paths.supervisor, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { claimed: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const existing = readRecord(paths);
  if (existing && isAlive(existing.pid)) return { claimed: false, running: existing };
  return { claimed: false, ...(existing ? { stale: existing } : {}) };
}

export function releaseRecord(paths: StatePaths, pid = process.pid): void {
  const existing = readRecord(paths);
  if (!existing || existing.pid === pid) rmSync(paths.supervisor, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
