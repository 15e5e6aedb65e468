import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { remoteStatus, runningSupervisor } from '../../src/local/control.ts';
import { NotRunningError, statePaths } from '../../src/local/index.ts';
import {
  claimRecord,
  readRecord,
  removeStaleRecord,
  type SupervisorRecord,
} from '../../src/local/state/supervisor-record.ts';
import { cleanup, tempDir } from './helpers.ts';

const record = (pid: number): SupervisorRecord => ({
  pid,
  runId: `run-${pid}`,
  startedAt: new Date().toISOString(),
  engine: 'process',
  phase: 'running',
  control: { port: 4321, token: 't' },
  urls: ['https://flip.localhost:8443'],
  tasks: [{ pid }, { container: 'flip-web-1' }],
});

/** A PID no process has: above the kernel's pid_max. */
const DEAD = 2 ** 22 + 1;

describe('supervisor.json is an exclusive lock', () => {
  const dir = tempDir('record');
  const paths = statePaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  afterAll(() => cleanup(dir));

  it('is claimed whole, once: a second claim sees the first as running', () => {
    expect(claimRecord(paths, record(process.pid))).toEqual({ claimed: true });
    expect(statSync(paths.supervisor).mode & 0o777).toBe(0o600);
    const second = claimRecord(paths, record(process.pid));
    expect(second).toMatchObject({ claimed: false, running: { pid: process.pid } });
  });

  it('removes a stale record, but not one a racing berth up wrote after it was read as stale', () => {
    writeFileSync(paths.supervisor, JSON.stringify(record(DEAD)));
    const claim = claimRecord(paths, record(process.pid));
    expect(claim).toMatchObject({ claimed: false, stale: { pid: DEAD } });
    const staleText = 'staleText' in claim ? claim.staleText : undefined;
    // Another berth up removed the stale record and claimed the folder in the meantime.
    const theirs = JSON.stringify(record(process.pid));
    writeFileSync(paths.supervisor, theirs);
    removeStaleRecord(paths, staleText);
    expect(readFileSync(paths.supervisor, 'utf8')).toBe(theirs);
    // The stale record itself goes.
    writeFileSync(paths.supervisor, staleText!);
    removeStaleRecord(paths, staleText);
    expect(claimRecord(paths, record(process.pid))).toEqual({ claimed: true });
  });
});

/** Records that name this (live) process but lack what status and down read from them. */
const MALFORMED = {
  'only a pid': { pid: process.pid },
  'a port that is not a number': { ...record(process.pid), control: { port: '4321', token: 't' } },
  'tasks that are not a list': { ...record(process.pid), tasks: { pid: 1 } },
  'no urls': { ...record(process.pid), urls: undefined },
};

describe('a supervisor.json of the wrong shape is treated like an unreadable one', () => {
  const dir = tempDir('record-shape');
  afterAll(() => cleanup(dir));
  let folders = 0;

  /** A state folder whose supervisor.json holds `text`. */
  function stateWith(text: string) {
    const paths = statePaths(`${dir}/${(folders += 1)}`);
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(paths.supervisor, text);
    return paths;
  }

  for (const [what, malformed] of Object.entries(MALFORMED)) {
    it(`reads as no record: ${what}`, () => {
      expect(readRecord(stateWith(JSON.stringify(malformed)))).toBeUndefined();
    });
  }

  it('makes status say nothing is running instead of failing on the missing control port', async () => {
    const paths = stateWith(JSON.stringify({ pid: process.pid }));
    expect(runningSupervisor(paths)).toBeUndefined();
    await expect(remoteStatus(paths)).rejects.toThrow(NotRunningError);
  });

  it('is stale for berth up even though its pid is alive: removed, and the folder claimed', () => {
    const text = JSON.stringify({ pid: process.pid });
    const paths = stateWith(text);
    const claim = claimRecord(paths, record(process.pid));
    expect(claim).toEqual({ claimed: false, staleText: text });
    removeStaleRecord(paths, text);
    expect(existsSync(paths.supervisor)).toBe(false);
    expect(claimRecord(paths, record(process.pid))).toEqual({ claimed: true });
  });

  it('still reads a record of the right shape, with fields it does not know and without a run id', () => {
    const { runId: _older, ...withoutRunId } = record(process.pid);
    const paths = stateWith(JSON.stringify({ ...withoutRunId, addedLater: true }));
    expect(readRecord(paths)).toEqual({ ...withoutRunId, runId: '' });
  });
});

describe('a live supervisor that cannot be asked yet', () => {
  const dir = tempDir('record-starting');
  afterAll(() => cleanup(dir));

  it('has not opened its control endpoint: status says it is starting, and what to do', async () => {
    const paths = statePaths(dir);
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(
      paths.supervisor,
      JSON.stringify({ ...record(process.pid), control: { port: 0, token: 't' } }),
    );
    await expect(remoteStatus(paths)).rejects.toThrow(
      `(pid ${process.pid}) is starting and has not opened its control endpoint yet; try again, or berth down --force ends it and its tasks`,
    );
  });
});
