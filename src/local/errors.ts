import { BerthError, UsageError } from '../shared/errors.ts';

/** Another `berth up` for the same config is already running. */
export class AlreadyRunningError extends BerthError {
  constructor(
    readonly pid: number,
    readonly urls: readonly string[],
  ) {
    super(
      `berth up is already running for this config (pid ${pid})${urls.length ? `: ${urls.join(' ')}` : ''}; use berth status, berth restart SERVICE or berth down`,
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

/** Secrets the config names but the local secrets file does not hold. */
export class MissingSecretError extends UsageError {
  constructor(
    readonly file: string,
    readonly missing: readonly { service: string; variable: string; key: string }[],
  ) {
    super(
      `${missing.length} secret${missing.length === 1 ? '' : 's'} missing from ${file} (a local file, never committed):\n` +
        missing
          .map(
            (m) => `  ${m.service}: ${m.variable} needs ${JSON.stringify(m.key)}; add "${m.key}": "<value>"`,
          )
          .join('\n'),
    );
    this.name = 'MissingSecretError';
  }
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
