import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { statePaths } from '../../src/local/index.ts';
import {
  claimRecord,
  removeStaleRecord,
  type SupervisorRecord,
} from '../../src/local/state/supervisor-record.ts';
import { cleanup, tempDir } from './helpers.ts';

const record = (pid: number): SupervisorRecord => ({
  pid,
  runId: `run-${pid}`,
  startedAt: new Date().toISOString(),
  engine: 'process',
  phase: 'starting',
  control: { port: 0, token: 't' },
  urls: [],
  tasks: [],
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
