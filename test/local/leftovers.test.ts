import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { up } from '../../src/local/index.ts';
import { runBerth } from '../support/berth-cli.ts';
import { alive, cleanup, flipConfig, PORT_FLAGS, recorder, tempDir, writeFlipConfig } from './helpers.ts';

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

  afterAll(() => cleanup(dir, pids));

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
