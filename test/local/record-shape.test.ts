import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { remoteStatus, runningSupervisor } from '../../src/local/control.ts';
import { NotRunningError, statePaths } from '../../src/local/index.ts';
import {
  claimRecord,
  readRecord,
  removeStaleRecord,
  type SupervisorRecord,
} from '../../src/local/state/supervisor-record.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A state folder whose supervisor.json holds `text`. */
function stateWith(text: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-record-shape-'));
  dirs.push(dir);
  const paths = statePaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.supervisor, text);
  return paths;
}

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

/** Records that name this (live) process but lack what status and down read from them. */
const MALFORMED = {
  'only a pid': { pid: process.pid },
  'a port that is not a number': { ...record(process.pid), control: { port: '4321', token: 't' } },
  'tasks that are not a list': { ...record(process.pid), tasks: { pid: 1 } },
  'no urls': { ...record(process.pid), urls: undefined },
};

describe('a supervisor.json of the wrong shape is treated like an unreadable one', () => {
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
