import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { processState, type GoneReason, type ProcessState } from './process-identity.ts';
import type { StatePaths } from './state-dir.ts';

/**
 * What a running supervisor writes about itself, so that other commands can find and talk to it:
 * the shape every reader relies on (status and down call `control.port`, a stale record's cleanup
 * walks `tasks`). Unknown fields are ignored, so an older berth still reads a newer one's record.
 */
const RecordSchema = z.object({
  pid: z.number().int().positive(),
  /**
   * The supervisor's identity beside its PID (`startTimeOf`), so that a reused PID is not taken
   * for it. Records written before berth recorded it have none: their `startedAt` is checked instead.
   */
  startTime: z.string().optional(),
  /**
   * The run's marker: its processes carry `BERTH_RUN_ID=<runId>`, its containers the label
   * `berth.run=<runId>`. Records written before run ids existed have none: the cleanup checks for ''.
   */
  runId: z.string().default(''),
  /** When the record was last written: its supervisor and the tasks it lists were running then. */
  startedAt: z.string(),
  engine: z.string(),
  phase: z.string(),
  control: z.object({ port: z.number().int().nonnegative(), token: z.string() }),
  urls: z.array(z.string()).readonly(),
  /** Processes and containers it started, so a later run can clean up after a supervisor that was killed. */
  tasks: z
    .array(
      z.object({
        pid: z.number().int().positive().optional(),
        startTime: z.string().optional(),
        container: z.string().optional(),
      }),
    )
    .readonly(),
});

export type SupervisorRecord = Readonly<z.infer<typeof RecordSchema>>;

/**
 * The record in a state folder and what its supervisor is now, with the record's exact text for
 * `removeStaleRecord`. `dead` covers a supervisor that exited, is a zombie, or whose PID another
 * process has now: every command treats those alike, as a stale record.
 */
export type Recorded =
  | { readonly state: 'none' }
  | {
      readonly state: 'dead';
      readonly record: SupervisorRecord;
      readonly text: string;
      readonly why: GoneReason;
    }
  | {
      readonly state: 'alive';
      readonly record: SupervisorRecord;
      readonly text: string;
      /** SIGSTOP or Ctrl-Z: it cannot answer until it gets SIGCONT. */
      readonly stopped: boolean;
    };

export function inspectRecord(paths: StatePaths): Recorded {
  const text = readText(paths);
  const record = parseRecord(text);
  if (!record || text === undefined) return { state: 'none' };
  const now = supervisorState(record);
  return now.alive
    ? { state: 'alive', record, text, stopped: now.stopped }
    : { state: 'dead', record, text, why: now.why };
}

/** What the process of a record's supervisor is now. */
export function supervisorState(record: SupervisorRecord): ProcessState {
  return processState({ pid: record.pid, startTime: record.startTime, seenAt: record.startedAt });
}

/**
 * The record of a supervisor that died, with its exact text for `removeStaleRecord`; undefined when
 * there is none, or its supervisor is alive.
 */
export function readStaleRecord(
  paths: StatePaths,
): { readonly record: SupervisorRecord; readonly text: string; readonly why: GoneReason } | undefined {
  const found = inspectRecord(paths);
  return found.state === 'dead' ? found : undefined;
}

export function readRecord(paths: StatePaths): SupervisorRecord | undefined {
  return parseRecord(readText(paths));
}

/** Atomic write: readers never see half a file. Mode 0600 because it holds the control token. */
export function writeRecord(paths: StatePaths, record: SupervisorRecord): void {
  const tmp = `${paths.supervisor}.${process.pid}.tmp`;
  writeFileSync(tmp, serialize(record), { mode: 0o600 });
  renameSync(tmp, paths.supervisor);
}

export type Claim =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly running: SupervisorRecord; readonly stopped: boolean }
  | { readonly claimed: false; readonly stale?: SupervisorRecord; readonly staleText?: string };

/**
 * Claims the state folder for this process: the whole record is written to a file of its own and
 * hard-linked into place, which fails if a record is there, so of two racing `berth up` runs exactly
 * one wins and no reader ever sees half a record. Returns the live supervisor's record instead when
 * there is one, or the stale record (and its exact text, for `removeStaleRecord`).
 */
export function claimRecord(paths: StatePaths, record: SupervisorRecord): Claim {
  const tmp = `${paths.supervisor}.${process.pid}.claim`;
  writeFileSync(tmp, serialize(record), { mode: 0o600 });
  try {
    linkSync(tmp, paths.supervisor);
    return { claimed: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  const text = readText(paths);
  const existing = parseRecord(text);
  const now = existing && supervisorState(existing);
  if (existing && now?.alive) return { claimed: false, running: existing, stopped: now.stopped };
  return { claimed: false, ...(existing ? { stale: existing } : {}), ...(text ? { staleText: text } : {}) };
}

/**
 * Removes the record that was read as stale, and only that one: if a racing `berth up` has replaced
 * it in the meantime, its record is put back. The rename makes the check and the removal one step.
 */
export function removeStaleRecord(paths: StatePaths, staleText: string | undefined): void {
  const grabbed = `${paths.supervisor}.${process.pid}.stale`;
  try {
    renameSync(paths.supervisor, grabbed);
  } catch {
    return; // Gone already: another run removed it.
  }
  if (readFileSync(grabbed, 'utf8') !== staleText) {
    try {
      linkSync(grabbed, paths.supervisor);
    } catch {
      // A third run has claimed the folder in the meantime; its record stands.
    }
  }
  rmSync(grabbed, { force: true });
}

export function releaseRecord(paths: StatePaths, pid = process.pid): void {
  const existing = readRecord(paths);
  if (!existing || existing.pid === pid) rmSync(paths.supervisor, { force: true });
}

function readText(paths: StatePaths): string | undefined {
  try {
    return readFileSync(paths.supervisor, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A record that is not JSON or not of RecordSchema's shape is treated like an unreadable one: no supervisor
 * can be reached through it, so `berth up` removes it as stale and the other commands see none.
 */
function parseRecord(text: string | undefined): SupervisorRecord | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = RecordSchema.safeParse(json);
  return result.success ? result.data : undefined;
}

function serialize(record: SupervisorRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
