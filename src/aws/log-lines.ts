// Kept apart from logs.ts, which loads the CloudWatch Logs client: the CLI's renderers use these,
// and `berth status` or `--help` must not load an AWS SDK client they do not call.

export interface LogLine {
  /** Milliseconds since the epoch, as CloudWatch recorded the event. */
  readonly timestamp: number;
  readonly logStream: string;
  readonly eventId: string;
  /** The line as the container wrote it (berth's apps write pino JSON). */
  readonly message: string;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** A log line as a person reads it: time, level, request id, message, then any other fields. */
export interface ReadableLine {
  readonly time: string;
  readonly level?: string;
  readonly requestId?: string;
  readonly message: string;
  /** Fields other than these, as compact JSON; empty when none. */
  readonly rest: string;
}

/**
 * Reads pino's JSON (level as a number, time in ms, msg, reqId); any other line is kept as it is,
 * with CloudWatch's timestamp.
 */
export function readableLine(line: LogLine): ReadableLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.message);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return { time: new Date(line.timestamp).toISOString(), message: line.message, rest: '' };
  const {
    level,
    time,
    msg,
    reqId,
    pid: _pid,
    hostname: _hostname,
    ...others
  } = parsed as Record<string, unknown>;
  const at = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date(line.timestamp);
  return {
    time: (Number.isNaN(at.getTime()) ? new Date(line.timestamp) : at).toISOString(),
    ...(level === undefined
      ? {}
      : {
          level: typeof level === 'number' ? (LEVELS[level] ?? String(level)) : String(level).toUpperCase(),
        }),
    ...(reqId === undefined ? {} : { requestId: String(reqId) }),
    message: typeof msg === 'string' ? msg : '',
    rest: Object.keys(others).length === 0 ? '' : JSON.stringify(others),
  };
}
