import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSince, readLogs, type LogLine } from '../../src/aws/logs.ts';
import { renderLogLine } from '../../src/cli/operate-render.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cruddur, REFERENCE_FILE } from '../fixtures.ts';
import { BERTH_BIN, runBerth } from '../support/berth-cli.ts';
import { motoClientConfig, startMoto, type Moto, useEmulatorAsAws } from '../support/moto.ts';

// The backend's log group in moto with two task streams whose events interleave in time, as two
// tasks behind one service write them; one event is older than the default 10 minutes.

const ROOT = path.resolve(import.meta.dirname, '../..');
const GROUP = '/berth/cruddur/prod/backend';
const config = cruddur();
const now = Date.now();
const at = (minutesAgo: number) => now - minutesAgo * 60_000;
const pino = (level: number, time: number, msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level, time, pid: 1, hostname: 'ip-10-0-0-1', ...extra, msg });
let moto: Moto;
let logs: CloudWatchLogsClient;
const savedEnv = { ...process.env };

async function put(stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
  await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: events }));
}

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorAsAws(moto.endpoint);
  logs = new CloudWatchLogsClient(motoClientConfig(moto.endpoint));
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  for (const stream of ['backend/backend/task-a', 'backend/backend/task-b'])
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  await put('backend/backend/task-a', [
    { timestamp: at(30), message: pino(30, at(30), 'server listening') },
    {
      timestamp: at(5),
      message: pino(30, at(5), 'incoming request', { reqId: 'req-1', req: { url: '/api/health-check' } }),
    },
    { timestamp: at(3), message: pino(50, at(3), 'activities table unreachable', { reqId: 'req-2' }) },
  ]);
  await put('backend/backend/task-b', [
    { timestamp: at(4), message: pino(40, at(4), 'slow response', { reqId: 'req-3', responseTime: 812 }) },
    { timestamp: at(2), message: 'a plain line from node itself' },
  ]);
});

afterAll(async () => {
  logs?.destroy();
  await moto?.stop();
  process.env = savedEnv;
});

async function read(since?: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  await readLogs({
    config,
    service: 'backend',
    ...(since ? { since } : {}),
    now,
    onLine: (l) => lines.push(l),
  });
  return lines;
}

// Before readLogs' --follow test, which adds an event.
describe('berth logs', () => {
  it('prints the lines readably, oldest first', async () => {
    const r = await runBerth(['logs', 'backend', '--config', REFERENCE_FILE], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^\S+Z INFO {2}\[req-1\] incoming request \{"req":\{"url":"\/api\/health-check"\}\}$/,
    );
    expect(lines[2]).toMatch(/^\S+Z ERROR \[req-2\] activities table unreachable$/);
    expect(lines[3]).toMatch(/^\S+Z a plain line from node itself$/);
  });

  it('prints the raw lines with --json', async () => {
    const r = await runBerth(['logs', 'backend', '--since', '1h', '--json', '--config', REFERENCE_FILE], {
      cwd: ROOT,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'server listening' });
  });

  it('follows until Ctrl-C, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [BERTH_BIN, 'logs', 'backend', '--follow', '--config', REFERENCE_FILE],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && stdout.split('\n').length <= 4; i++)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(4);
  });

  it('refuses credentials for another account, naming both (exit 2), and reads nothing', async () => {
    const other = path.join(ROOT, 'test/aws/fixtures/other-account.config.ts');
    const r = await runBerth(['logs', 'backend', '--config', other], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /credentials are for account 123456789012 .* config deploys to account 210987654321/,
    );
    expect(r.stdout).toBe('');
  });

  it('refuses a bad --since with exit 2', async () => {
    const r = await runBerth(['logs', 'backend', '--since', 'ages', '--config', REFERENCE_FILE], {
      cwd: ROOT,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'berth: --since ages: give a duration such as 30s, 10m, 2h or 1d, or a date such as 2026-12-06T09:00:00Z\n',
    );
  });
});

describe('readLogs', () => {
  it('reads the last 10 minutes of every task stream, oldest first', async () => {
    const lines = await read();
    expect(lines.map((l) => l.timestamp)).toEqual([at(5), at(4), at(3), at(2)]);
    expect(lines.map((l) => l.logStream)).toEqual([
      'backend/backend/task-a',
      'backend/backend/task-b',
      'backend/backend/task-a',
      'backend/backend/task-b',
    ]);
  });

  it('starts where --since says', async () => {
    expect(await read('1h')).toHaveLength(5);
    expect((await read('210s')).map((l) => l.timestamp)).toEqual([at(3), at(2)]);
    expect(await read(new Date(at(31)).toISOString())).toHaveLength(5);
  });

  it('keeps following until stopped, each new event once', async () => {
    const lines: LogLine[] = [];
    const stop = new AbortController();
    const following = readLogs({
      config,
      service: 'backend',
      since: '150s',
      now,
      follow: true,
      pollMs: 100,
      signal: stop.signal,
      onLine: (l) => lines.push(l),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = Date.now();
    await put('backend/backend/task-b', [
      { timestamp: later, message: pino(30, later, 'request completed', { reqId: 'req-4' }) },
    ]);
    for (let i = 0; i < 50 && lines.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort();
    const result = await following;
    expect(lines.map((l) => l.timestamp)).toEqual([at(2), later]);
    expect(result).toEqual({ logGroup: GROUP, lines: 2 });
  });

  it('names the missing log group and what it means', async () => {
    await expect(
      readLogs({ config: { ...config, stage: 'staging' }, service: 'backend', onLine: () => {} }),
    ).rejects.toThrow(
      'log group /berth/cruddur/staging/backend does not exist: stage staging is not deployed (berth deploy --stage staging), or backend has not started yet',
    );
  });

  it('refuses a service the config does not have', async () => {
    await expect(readLogs({ config, service: 'worker', onLine: () => {} })).rejects.toThrow(
      "no service 'worker' in this config (services: backend, frontend)",
    );
  });
});

describe('parseSince', () => {
  it('reads durations and dates, and refuses anything else as a usage error', () => {
    expect(parseSince('30s', 100_000)).toBe(70_000);
    expect(parseSince('2h', 10_000_000)).toBe(2_800_000);
    expect(parseSince('2026-12-06T09:00:00Z')).toBe(Date.parse('2026-12-06T09:00:00Z'));
    expect(() => parseSince('yesterday')).toThrow(UsageError);
  });
});

describe('renderLogLine', () => {
  const line = (message: string): LogLine => ({
    timestamp: Date.parse('2026-12-06T09:00:00Z'),
    logStream: 's',
    eventId: '1',
    message,
  });
  it("shows pino's JSON as time, level, request id, message and the other fields", () => {
    const t = Date.parse('2026-12-06T09:00:01.250Z');
    expect(renderLogLine(line(pino(40, t, 'slow response', { reqId: 'req-3', responseTime: 812 })))).toBe(
      '2026-12-06T09:00:01.250Z WARN  [req-3] slow response {"responseTime":812}',
    );
    expect(renderLogLine(line(pino(50, t, 'boom')), true)).toBe(
      '2026-12-06T09:00:01.250Z \x1b[31mERROR\x1b[0m boom',
    );
  });
  it('keeps any other line as it is, with the time CloudWatch recorded', () => {
    expect(renderLogLine(line('plain text'))).toBe('2026-12-06T09:00:00.000Z plain text');
  });
});
