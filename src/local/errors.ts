import { BerthError, UsageError } from '../shared/errors.ts';
import type { GoneReason } from './state/process-identity.ts';

/** Another `berth up` for the same config is already running (or stopped, with SIGSTOP or Ctrl-Z). */
export class AlreadyRunningError extends BerthError {
  constructor(
    readonly pid: number,
    readonly urls: readonly string[],
    readonly stopped = false,
  ) {
    super(
      stopped
        ? `berth up is already running for this config (pid ${pid}), but stopped (SIGSTOP or Ctrl-Z); ${resumeOrForce(pid)}`
        : `berth up is already running for this config (pid ${pid})${urls.length ? `: ${urls.join(' ')}` : ''}; use berth status, berth restart SERVICE or berth down`,
    );
    this.name = 'AlreadyRunningError';
  }
}

/** No supervisor runs for this config. */
export class NotRunningError extends BerthError {
  constructor(stateDir: string, options?: ErrorOptions) {
    super(
      `nothing is running for this config (no live supervisor recorded in ${stateDir}); start it with berth up`,
      options,
    );
    this.name = 'NotRunningError';
  }
}

/** One secret that the local secrets file does not hold, or holds in a form a task cannot use. */
export interface SecretProblem {
  readonly service: string;
  readonly variable: string;
  /** The SSM parameter or Secrets Manager secret name: the secret's key in the file. */
  readonly key: string;
  /** The JSON field of a Secrets Manager secret that the config reads, when it names one. */
  readonly field?: string;
  /** Where the problem is: the key's value, or the field inside it. */
  readonly at: 'key' | 'field';
  /** What is there instead, by type only, since it may be a secret; undefined when nothing is. */
  readonly found?: string;
}

/**
 * The supervisor recorded for this config was killed: its tasks may still run, and nothing answers
 * for them. A PID that another process has now means the same (a reboot or container restart).
 */
export class SupervisorDiedError extends BerthError {
  constructor(stateDir: string, pid: number, why: GoneReason = 'exited') {
    const reused = why === 'reused' ? `, and pid ${pid} now belongs to another process` : '';
    super(
      `the berth up recorded in ${stateDir} is gone: its supervisor (pid ${pid}) has died${reused}, and what it started may still run; berth down ends it`,
    );
    this.name = 'SupervisorDiedError';
  }
}

/**
 * Why a live supervisor cannot answer: SIGSTOP or Ctrl-Z; no reply in time; its control endpoint
 * not open yet, or closed already (it is stopping); asked to stop, still there after the wait.
 */
export type UnreachableReason = 'stopped' | 'hung' | 'starting' | 'closed' | 'not-stopping';

/**
 * The supervisor recorded for this config is alive but does not answer; the message says which
 * case it is and what to do, and `berth down --force` ends it and its tasks in every case.
 */
export class SupervisorUnreachableError extends BerthError {
  constructor(
    stateDir: string,
    readonly pid: number,
    readonly reason: UnreachableReason,
    timeoutMs = 0,
    options?: ErrorOptions,
  ) {
    const force = 'berth down --force ends it and its tasks';
    const what = {
      stopped: `is stopped (SIGSTOP, or Ctrl-Z in its terminal) and cannot answer; ${resumeOrForce(pid)}`,
      hung: `is running but did not answer within ${timeoutMs / 1000} s (hung?); ${force}`,
      starting: `is starting and has not opened its control endpoint yet; try again, or ${force}`,
      closed: `is running but has closed its control endpoint (stopping?); try again, or ${force}`,
      'not-stopping': `was asked to stop but is still running after ${timeoutMs / 1000} s; ${force}`,
    }[reason];
    super(`the supervisor of the berth up recorded in ${stateDir} (pid ${pid}) ${what}`, options);
    this.name = 'SupervisorUnreachableError';
  }
}

function resumeOrForce(pid: number): string {
  return `kill -CONT ${pid} (or fg in its terminal) resumes it, berth down --force ends it and its tasks`;
}

/** Secrets the config names but the local secrets file does not hold (or holds as something else). */
export class MissingSecretError extends UsageError {
  constructor(
    readonly file: string,
    readonly missing: readonly SecretProblem[],
  ) {
    const what = missing.every((m) => m.found === undefined) ? 'missing from' : 'missing or wrong in';
    super(
      `${missing.length} secret${missing.length === 1 ? '' : 's'} ${what} ${file} (a local file, never committed):\n` +
        missing.map((m) => `  ${m.service}: ${m.variable} ${secretAdvice(m)}`).join('\n'),
    );
    this.name = 'MissingSecretError';
  }
}

/**
 * What the secret needs and the entry that supplies it, in the form the loader reads
 * (local-files.ts): a string, or for a `field` an object (or JSON object string) holding it.
 */
function secretAdvice({ key, field, at, found }: SecretProblem): string {
  const q = JSON.stringify;
  const value = '"<value>"';
  if (field === undefined)
    return found === undefined
      ? `needs ${q(key)}; add ${q(key)}: ${value}`
      : `needs ${q(key)} to be a string, but it is ${found}; write ${q(key)}: ${value}`;
  const needs = `needs field ${q(field)} of ${q(key)}`;
  if (at === 'key')
    return found === undefined
      ? `${needs}; add ${q(key)}: {${q(field)}: ${value}}`
      : `${needs}, a JSON object, but ${q(key)} is ${found}; write ${q(key)}: {${q(field)}: ${value}}`;
  return found === undefined
    ? `${needs}, which does not have it; add ${q(field)}: ${value} to ${q(key)}`
    : `${needs} to be a string, but it is ${found}; write ${q(field)}: ${value} in ${q(key)}`;
}

/** A task did not start or did not become healthy: an expected failure (exit 1), its output's end in the message. */
export class TaskFailedError extends BerthError {
  constructor(
    message: string,
    readonly service: string,
    readonly logTail: string,
  ) {
    super(logTail ? `${message}\n--- last lines of its output ---\n${logTail}` : message);
    this.name = 'TaskFailedError';
  }
}
