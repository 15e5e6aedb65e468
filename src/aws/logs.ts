import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { requireService, type ResolvedConfig } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { sleep } from '../shared/net.ts';
import { clientConfig } from './clients.ts';
import { silentAws, type AwsNotify } from './events.ts';
import { assertAccount } from './identity.ts';
import type { LogLine } from './log-lines.ts';

export { readableLine, type LogLine, type ReadableLine } from './log-lines.ts';

export interface ReadLogsOptions {
  readonly config: ResolvedConfig;
  readonly service: string;
  /** How far back to start: `10m`, `2h`, `1d`, `30s`, or a date. @default '10m' */
  readonly since?: string;
  /** Keep reading new events until `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Between two reads while following. @default 2000 */
  readonly pollMs?: number;
  /** Each event, oldest first. */
  readonly onLine: (line: LogLine) => void;
  readonly notify?: AwsNotify;
  /** The clock `since` counts back from (tests). @default Date.now() */
  readonly now?: number;
}

export interface ReadLogsResult {
  readonly logGroup: string;
  readonly lines: number;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m` -> ten minutes before `now`; an ISO date as it is. */
export function parseSince(since: string, now = Date.now()): number {
  const duration = /^(\d+)([smhd])$/.exec(since.trim());
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]!]!;
  const date = /^\d{4}-\d\d-\d\d/.test(since) ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(date))
    throw new UsageError(
      `--since ${since}: give a duration such as 30s, 10m, 2h or 1d, or a date such as 2026-12-06T09:00:00Z`,
    );
  return date;
}

/**
 * The service's CloudWatch Logs, oldest first, from `since`; with `follow`, then every new event
 * until the signal aborts. Following polls FilterLogEvents rather than StartLiveTail: Live Tail
 * is a streaming API that emulators (moto) do not implement, billed per minute of session, and
 * a poll every 2 s is as timely for a person reading along.
 */
export async function readLogs(options: ReadLogsOptions): Promise<ReadLogsResult> {
  const { config } = options;
  const service = requireService(config, options.service);
  const logGroupName = names.logGroup(config, service);
  let startTime = parseSince(options.since ?? '10m', options.now);
  // The log group's name is the same in every account: only the guard keeps another account's
  // logs from being read as this stage's.
  await assertAccount(config, options.notify ?? silentAws);
  const logs = new CloudWatchLogsClient(clientConfig(config));
  // Events of the last millisecond read, which the next poll (from that millisecond on) sees again.
  let seenAtStart = new Set<string>();
  let lines = 0;
  try {
    for (;;) {
      let nextToken: string | undefined;
      const batch: LogLine[] = [];
      do {
        let page;
        try {
          page = await logs.send(
            new FilterLogEventsCommand({ logGroupName, startTime, nextToken }),
            options.signal ? { abortSignal: options.signal } : {},
          );
        } catch (error) {
          if (options.signal?.aborted) return { logGroup: logGroupName, lines };
          if (error instanceof ResourceNotFoundException)
            throw new BerthError(
              `log group ${logGroupName} does not exist: stage ${config.stage} is not deployed (berth deploy --stage ${config.stage}), or ${service.id} has not started yet`,
              { cause: error },
            );
          throw error;
        }
        for (const e of page.events ?? [])
          batch.push({
            timestamp: e.timestamp ?? 0,
            logStream: e.logStreamName ?? '',
            eventId: e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`,
            message: (e.message ?? '').replace(/\n$/, ''),
          });
        nextToken = page.nextToken;
      } while (nextToken);
      // FilterLogEvents interleaves streams; order across pages is by time, within one not always.
      batch.sort((a, b) => a.timestamp - b.timestamp);
      const fresh = batch.filter((l) => !seenAtStart.has(l.eventId));
      for (const line of fresh) options.onLine(line);
      lines += fresh.length;
      if (!options.follow || options.signal?.aborted) return { logGroup: logGroupName, lines };
      const last = batch.at(-1);
      if (last) {
        if (last.timestamp !== startTime) seenAtStart = new Set();
        startTime = last.timestamp;
        for (const l of batch) if (l.timestamp === startTime) seenAtStart.add(l.eventId);
      }
      options.notify?.({
        level: 'debug',
        code: 'aws.logs.poll',
        message: `read ${fresh.length} new events`,
        data: { lines },
      });
      await sleep(options.pollMs ?? 2_000, options.signal);
      if (options.signal?.aborted) return { logGroup: logGroupName, lines };
    }
  } finally {
    logs.destroy();
  }
}
