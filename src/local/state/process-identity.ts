import { readFileSync } from 'node:fs';

/**
 * What the process behind a recorded PID is now. A PID alone does not name a process: one that was
 * killed stays a zombie until its parent waits for it (forever, under an init that does not reap,
 * as in containers started without `--init`), and after a reboot or a container restart the same
 * PID can belong to an unrelated process. Both count as gone.
 */
export type ProcessState =
  { readonly alive: true; readonly stopped: boolean } | { readonly alive: false; readonly why: GoneReason };

/**
 * `exited`: no such process; `zombie`: it has ended, its parent has not waited for it; `reused`:
 * another process has the PID (alive or a zombie).
 */
export type GoneReason = 'exited' | 'zombie' | 'reused';

/** What a record knows of a process: its PID, and when it wrote one, its start time and the time of the writing. */
export interface ProcessRef {
  readonly pid: number;
  /** From `startTimeOf`; absent in records written before berth recorded it. */
  readonly startTime?: string;
  /** ISO time at which the process was known to run; the check for records without a start time. */
  readonly seenAt?: string;
}

/**
 * Linux's clock ticks per second for /proc (USER_HZ): 100 on every architecture Node.js runs on.
 * Only the check of records without a start time uses it, with a tolerance of seconds.
 */
const TICKS_PER_SECOND = 100;
/** btime is whole seconds, start times are ticks, clocks get adjusted: "after" means by more than this. */
const CLOCK_SLACK_MS = 2_000;

/**
 * The identity of the process with this PID: its start time in clock ticks since boot (field 22
 * of /proc/PID/stat), prefixed with the boot's id so that the same tick count after a reboot
 * differs. Undefined when the process is gone or there is no /proc (macOS): then only the PID is
 * recorded, and only the PID is checked.
 */
export function startTimeOf(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat && stat !== 'no-proc' ? `${bootId()}:${stat.startTicks}` : undefined;
}

/** The state of the process a record names; see ProcessState. */
export function processState(ref: ProcessRef): ProcessState {
  const stat = readStat(ref.pid);
  if (stat === 'no-proc')
    return isSignalable(ref.pid) ? { alive: true, stopped: false } : { alive: false, why: 'exited' };
  if (!stat) return { alive: false, why: 'exited' };
  if (ref.startTime !== undefined) {
    if (ref.startTime !== `${bootId()}:${stat.startTicks}`) return { alive: false, why: 'reused' };
  } else if (ref.seenAt !== undefined && startedAfter(stat.startTicks, ref.seenAt)) {
    // An older record: a process that started after the record was written did not write it.
    return { alive: false, why: 'reused' };
  }
  // X (dead) is the instant between zombie and reaped. A zombie still holds its PID (and process
  // group id), so `zombie` also says the PID is still the recorded process's.
  if (stat.state === 'Z' || stat.state === 'X') return { alive: false, why: 'zombie' };
  // T: stopped by a signal (SIGSTOP, Ctrl-Z); t: stopped by a debugger. Neither answers.
  return { alive: true, stopped: stat.state === 'T' || stat.state === 't' };
}

/** Alive, whatever its state: not exited, not a zombie, not another process. */
export function isRunning(ref: ProcessRef): boolean {
  return processState(ref).alive;
}

interface Stat {
  readonly state: string;
  readonly startTicks: string;
}

/**
 * Fields 3 (state) and 22 (starttime) of /proc/PID/stat. Field 2 is the command name in
 * parentheses, which may itself hold spaces and parentheses: the fields after it are counted from
 * the last ')'. Undefined when there is no such process; 'no-proc' when this system has no /proc.
 */
function readStat(pid: number): Stat | undefined | 'no-proc' {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return hasProc() ? undefined : 'no-proc';
    return 'no-proc'; // /proc mounted with hidepid: fall back to the signal check
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of the file, so field 22 is fields[19].
  const state = fields[0];
  const startTicks = fields[19];
  if (!state || !startTicks || !/^\d+$/.test(startTicks)) return undefined;
  return { state, startTicks };
}

let procChecked: boolean | undefined;
function hasProc(): boolean {
  procChecked ??= readable('/proc/self/stat');
  return procChecked;
}

let bootIdValue: string | undefined;
function bootId(): string {
  bootIdValue ??= readOr('/proc/sys/kernel/random/boot_id', 'boot').trim();
  return bootIdValue;
}

/** Whether a process that started `startTicks` after boot started after `iso` (beyond clock slack). */
function startedAfter(startTicks: string, iso: string): boolean {
  const seen = Date.parse(iso);
  const btime = /^btime (\d+)$/m.exec(readOr('/proc/stat', ''))?.[1];
  if (Number.isNaN(seen) || btime === undefined) return false;
  const started = Number(btime) * 1000 + (Number(startTicks) * 1000) / TICKS_PER_SECOND;
  return started > seen + CLOCK_SLACK_MS;
}

/** Without /proc: signal 0 reaches a zombie too, but it is all there is. EPERM: alive, someone else's. */
function isSignalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readable(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return fallback;
  }
}
