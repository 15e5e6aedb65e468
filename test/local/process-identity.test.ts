import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processState, startTimeOf } from '../../src/local/state/process-identity.ts';
import { cleanup, procState, tempDir, until } from './helpers.ts';

const SLEEP = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim();

describe('a recorded process is known by its PID and its start time', () => {
  const dir = tempDir('identity');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    cleanup(dir);
  });

  /** A process that runs until the tests end, started from `file` (sleep by default). */
  function sleeper(file = SLEEP): number {
    const child = spawn(file, ['600'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  }

  it('is alive while it runs, and stopped while it is stopped (SIGSTOP)', async () => {
    const pid = sleeper();
    const startTime = startTimeOf(pid);
    expect(startTime).toMatch(/^.+:\d+$/);
    expect(processState({ pid, startTime })).toEqual({ alive: true, stopped: false });
    process.kill(pid, 'SIGSTOP');
    try {
      await until(() => procState(pid) === 'T', 5_000, 'the signal to stop it');
      expect(processState({ pid, startTime })).toEqual({ alive: true, stopped: true });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('is a zombie, not alive, once it has ended and its parent does not wait for it', async () => {
    // sh forks the short sleep, then becomes the long one, which never waits for it.
    const parent = spawn('sh', ['-c', `${SLEEP} 0.3 & echo $!; exec ${SLEEP} 600`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', resolve)));
    const startTime = startTimeOf(pid);
    expect(processState({ pid, startTime })).toEqual({ alive: true, stopped: false });
    // signal 0 still reaches a zombie: the check berth made before
    await until(() => processState({ pid, startTime }).alive === false, 5_000, 'the short sleep to end');
    expect(processState({ pid, startTime })).toEqual({ alive: false, why: 'zombie' });
    expect(() => process.kill(pid, 0)).not.toThrow();
  });

  it('is another process when the PID runs something that started at another time', () => {
    const pid = sleeper();
    expect(processState({ pid, startTime: startTimeOf(process.pid) })).toEqual({
      alive: false,
      why: 'reused',
    });
  });

  it('is another process, in a record without start times, when it started after the record was written', () => {
    const pid = sleeper();
    expect(processState({ pid, seenAt: '2020-01-01T00:00:00.000Z' })).toEqual({
      alive: false,
      why: 'reused',
    });
    expect(processState({ pid, seenAt: new Date(Date.now() + 60_000).toISOString() })).toEqual({
      alive: true,
      stopped: false,
    });
  });

  it('has exited when no process has the PID', () => {
    const pid = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(processState({ pid })).toEqual({ alive: false, why: 'exited' });
    expect(startTimeOf(pid)).toBeUndefined();
  });

  it('reads the state after the command name, however many spaces and parentheses that holds', () => {
    // /proc/PID/stat then reads "PID (x) Z 1 (y) S ...": the state is the field after the last ')'.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const tricky = path.join(bin, 'x) Z 1 (y');
    symlinkSync(SLEEP, tricky);
    const pid = sleeper(tricky);
    const startTime = startTimeOf(pid);
    expect(processState({ pid, startTime })).toEqual({ alive: true, stopped: false });
    expect(startTime).toBe(startTimeOf(pid));
  });
});
