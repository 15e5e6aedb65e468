import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { up } from '../../src/local/index.ts';
import { endLeftovers } from '../../src/local/state/leftovers.ts';
import { startTimeOf } from '../../src/local/state/process-identity.ts';
import { runBerth } from '../support/berth-cli.ts';
import {
  alive,
  cleanup,
  flipConfig,
  PORT_FLAGS,
  procState,
  recorder,
  tempDir,
  until,
  writeFlipConfig,
} from './helpers.ts';

/** A PID that no process has any more: that of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** A long-lived process in its own group, carrying `BERTH_RUN_ID=<runId>`. */
function marked(runId: string): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    env: { BERTH_RUN_ID: runId },
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid!;
}

describe('berth up cleans up after a supervisor that died, and only after it', () => {
  const dir = tempDir('leftovers');
  const pids: number[] = [];
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    cleanup(dir, pids);
  });

  it("ends the dead run's processes and leaves another run's process alone", async () => {
    // GIVEN a stale record listing a process of that run and one of another run
    const ours = marked('run-that-died');
    const theirs = marked('another-run');
    const died = deadPid();
    pids.push(ours, theirs);
    mkdirSync(path.join(dir, '.berth'), { recursive: true });
    writeFileSync(
      path.join(dir, '.berth/supervisor.json'),
      JSON.stringify({
        pid: died,
        runId: 'run-that-died',
        startedAt: new Date().toISOString(),
        engine: 'process',
        phase: 'running',
        control: { port: 1, token: 'x' },
        urls: [],
        tasks: [{ pid: ours }, { pid: theirs }],
      }),
    );
    // WHEN berth up starts
    const { events, notify } = recorder();
    const run = await up(flipConfig(dir), { httpPort: 0, httpsPort: 0, discoveryPorts: 'free', notify });
    await run.stop();
    // THEN only the process with the dead run's marker is gone
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(ours)).toBe(false);
    expect(alive(theirs)).toBe(true);
    // and both are accounted for
    const said = events.filter((e) => e.code === 'cleanup.leftover').map((e) => e.message);
    expect(said).toEqual([
      `the supervisor of the last run (pid ${died}) has died; ending what it left`,
      `ended process ${ours} left by a supervisor that died`,
      `left process ${theirs} alone: a supervisor that died listed it, but it does not carry that run's marker (a reused PID?)`,
    ]);
  });

  it('ends what is left in the process group of a task that has ended and stays a zombie', async () => {
    // GIVEN a task (a group leader) that has ended but is never waited for, and a child it left
    // in its group: sh forks the leader, then becomes a sleep that never waits for it.
    const parent = spawn(
      'sh',
      ['-c', 'setsid sh -c "sleep 600 & echo child \\$!; exec sleep 0.5" & echo leader $!; exec sleep 600'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    parent.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const pidOf = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(out)?.[1]);
    await until(() => pidOf('leader') > 0 && pidOf('child') > 0, 5_000, 'both PIDs');
    const [leader, child] = [pidOf('leader'), pidOf('child')];
    // cleanup ends the group (the leader's PID is its id); the parent is ended below or in afterAll.
    pids.push(leader);
    children.push(parent);
    const startTime = startTimeOf(leader);
    await until(() => procState(leader) === 'Z', 5_000, 'the leader to be a zombie');
    expect(alive(child)).toBe(true);
    // WHEN the record of a supervisor that died, listing that task, is cleaned up
    const { events, notify } = recorder();
    endLeftovers(
      {
        pid: deadPid(),
        runId: 'run-that-died',
        startedAt: new Date().toISOString(),
        engine: 'process',
        phase: 'running',
        control: { port: 1, token: 'x' },
        urls: [],
        tasks: [{ pid: leader, startTime }],
      },
      notify,
    );
    // THEN the child in its group is gone too, and nothing is reported as still running
    await until(() => !alive(child), 5_000, 'the child to be gone');
    expect(events.map((e) => e.message)).toContain('nothing it started was still running');
  });
});

describe('berth up --detach after a supervisor that died', () => {
  const dir = tempDir('leftovers-detach');
  const pids: number[] = [];
  afterAll(() => cleanup(dir, pids));

  it('ends what it left in the foreground, where its notes are seen, not only in supervisor.log', async () => {
    const ours = marked('detached-run-that-died');
    const died = deadPid();
    pids.push(ours);
    const config = writeFlipConfig(dir);
    mkdirSync(path.join(dir, '.berth'), { recursive: true });
    writeFileSync(
      path.join(dir, '.berth/supervisor.json'),
      JSON.stringify({
        pid: died,
        runId: 'detached-run-that-died',
        startedAt: new Date().toISOString(),
        engine: 'process',
        phase: 'running',
        control: { port: 1, token: 'x' },
        urls: [],
        tasks: [{ pid: ours }],
      }),
    );
    const r = await runBerth(['up', '--config', config, '--detach', ...PORT_FLAGS]);
    try {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `the supervisor of the last run (pid ${died}) has died; ending what it left`,
      );
      expect(r.stderr).toContain(`ended process ${ours} left by a supervisor that died`);
      expect(alive(ours)).toBe(false);
    } finally {
      await runBerth(['down', '--config', config]);
    }
  });
});
