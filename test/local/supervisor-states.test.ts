import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStatus } from '../../src/local/index.ts';
import { startTimeOf } from '../../src/local/state/process-identity.ts';
import type { SupervisorRecord } from '../../src/local/state/supervisor-record.ts';
import { runBerth } from '../support/berth-cli.ts';
import {
  alive,
  cleanup,
  PORT_FLAGS,
  procState,
  taskPids,
  tempDir,
  until,
  writeFlipConfig,
} from './helpers.ts';

/** Bounds every command here: one that waits for a supervisor that cannot answer ends as a failure. */
const PROMPTLY = { timeoutMs: 20_000 };

describe('status, restart, down and up agree on what runs, whatever state its supervisor is in', () => {
  const dir = tempDir('states');
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  afterAll(async () => {
    await runBerth(['down', '--force', '--config', path.join(dir, 'berth.config.ts')]);
    for (const child of children) child.kill('SIGKILL');
    cleanup(dir, pids);
  });

  /** A fresh folder with the flip config; returns the config file and its supervisor.json. */
  let folders = 0;
  function flipFolder(): { config: string; record: string } {
    const folder = path.join(dir, String((folders += 1)));
    mkdirSync(path.join(folder, '.berth'), { recursive: true });
    return { config: writeFlipConfig(folder), record: path.join(folder, '.berth/supervisor.json') };
  }

  /** A process unrelated to berth, running until the tests end; `detached`: in its own process group. */
  function unrelated(args = ['-e', 'setInterval(() => {}, 1000)'], detached = false): ChildProcess {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], detached });
    children.push(child);
    return child;
  }

  function writeRecord(file: string, record: Partial<SupervisorRecord> & { pid: number }): void {
    writeFileSync(
      file,
      JSON.stringify({
        runId: 'a-run-long-gone',
        startedAt: new Date().toISOString(),
        engine: 'process',
        phase: 'running',
        control: { port: 1, token: 'x' },
        urls: [],
        tasks: [],
        ...record,
      }),
    );
  }

  async function statusJson(config: string): Promise<LocalStatus> {
    const r = await runBerth(['status', '--config', config, '--json'], PROMPTLY);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LocalStatus;
  }

  it('a record whose PID another process has now is stale for every command, and down cleans it up', async () => {
    // GIVEN a record naming a live process that is not its supervisor (a reboot, a container restart)
    const { config, record } = flipFolder();
    const other = unrelated().pid!;
    const stale = {
      pid: other,
      startTime: startTimeOf(process.pid),
      tasks: [{ pid: other, startTime: 'x:1' }],
    };
    writeRecord(record, stale);
    const gone = `its supervisor (pid ${other}) has died, and pid ${other} now belongs to another process`;
    // THEN status and restart say it has died, and what to do
    for (const args of [['status'], ['restart', 'web']]) {
      const r = await runBerth([...args, '--config', config], PROMPTLY);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(gone);
      expect(r.stderr).toContain('berth down ends it');
    }
    // AND down cleans up after it, leaving the unrelated process alone
    const down = await runBerth(['down', '--config', config], PROMPTLY);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(
      `! the supervisor of the last run (pid ${other}) has died; ending what it left\n`,
    );
    expect(down.stderr).toContain(
      `! left process ${other} alone: a supervisor that died listed it, but it is another process now (a reused PID)\n`,
    );
    expect(existsSync(record)).toBe(false);
    expect(alive(other)).toBe(true);
    // AND up removes such a record by itself and starts
    writeRecord(record, stale);
    const up = await runBerth(['up', '--detach', '--config', config, ...PORT_FLAGS]);
    expect(up.code, up.stderr).toBe(0);
    const started = await statusJson(config);
    pids.push(...taskPids(started));
    expect(started.pid).not.toBe(other);
    expect(alive(other)).toBe(true);
    expect((await runBerth(['down', '--config', config], PROMPTLY)).code).toBe(0);
  });

  it('a record written before start times were recorded is stale when its PID started after it was written', async () => {
    const { config, record } = flipFolder();
    const other = unrelated().pid!;
    writeRecord(record, { pid: other, startedAt: '2020-01-01T00:00:00.000Z' });
    const status = await runBerth(['status', '--config', config], PROMPTLY);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`pid ${other} now belongs to another process`);
    const down = await runBerth(['down', '--config', config], PROMPTLY);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(record)).toBe(false);
    expect(alive(other)).toBe(true);
  });

  it('a stopped supervisor (SIGSTOP, Ctrl-Z) is reported at once, and down --force ends it and its tasks', async () => {
    const { config, record } = flipFolder();
    const up = await runBerth(['up', '--detach', '--config', config, ...PORT_FLAGS]);
    expect(up.code, up.stderr).toBe(0);
    const status = await statusJson(config);
    // afterAll's last resort for a failed run: the supervisor leads its own process group.
    pids.push(status.pid, ...taskPids(status));
    expect(taskPids(status)).toHaveLength(1);
    // The record names the supervisor and its task by start time as well as PID.
    const written = JSON.parse(readFileSync(record, 'utf8')) as SupervisorRecord;
    expect(written.startTime).toBe(startTimeOf(status.pid));
    expect(written.tasks).toEqual(taskPids(status).map((pid) => ({ pid, startTime: startTimeOf(pid) })));
    process.kill(status.pid, 'SIGSTOP');
    await until(() => procState(status.pid) === 'T', 5_000, 'the supervisor to stop');
    const stopped = `(pid ${status.pid}) is stopped (SIGSTOP, or Ctrl-Z in its terminal) and cannot answer; kill -CONT ${status.pid} (or fg in its terminal) resumes it, berth down --force ends it and its tasks`;
    // THEN status, restart and down say so instead of waiting for it
    for (const args of [['status'], ['status', '--json'], ['restart', 'web'], ['down']]) {
      const r = await runBerth([...args, '--config', config], PROMPTLY);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(stopped);
    }
    // AND up sees it running, and stopped
    const again = await runBerth(['up', '--detach', '--config', config, ...PORT_FLAGS], PROMPTLY);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `berth up is already running for this config (pid ${status.pid}), but stopped`,
    );
    expect(existsSync(record)).toBe(true);
    // WHEN down --force
    const down = await runBerth(['down', '--force', '--config', config], PROMPTLY);
    // THEN the supervisor and its task are gone, and so is the record
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(
      `! ended the supervisor (pid ${status.pid}), which was stopped; ending its tasks\n`,
    );
    for (const pid of taskPids(status)) {
      expect(down.stderr).toContain(`! ended process ${pid} left by a supervisor that died\n`);
      expect(alive(pid), `task ${pid}`).toBe(false);
    }
    expect(alive(status.pid)).toBe(false);
    expect(existsSync(record)).toBe(false);
    const after = await runBerth(['status', '--config', config], PROMPTLY);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('nothing is running');
  });

  it('a supervisor that does not answer is reported as hung after the timeout, and down --force ends it and its tasks', async () => {
    // GIVEN a live process recorded as the supervisor, whose control port accepts and never answers
    const { config, record } = flipFolder();
    const hung = unrelated([
      '-e',
      "require('net').createServer(() => {}).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
    ]);
    const port = Number(await new Promise<string>((resolve) => hung.stdout!.once('data', resolve)));
    const task = unrelated(['-e', 'setInterval(() => {}, 1000)'], true).pid!;
    pids.push(task);
    writeRecord(record, {
      pid: hung.pid!,
      startTime: startTimeOf(hung.pid!),
      control: { port, token: 'x' },
      tasks: [{ pid: task, startTime: startTimeOf(task) }],
    });
    const noAnswer = `(pid ${hung.pid}) is running but did not answer within 5 s (hung?); berth down --force ends it and its tasks`;
    // THEN status and down say so once the timeout has passed
    for (const args of [['status'], ['down']]) {
      const r = await runBerth([...args, '--config', config], PROMPTLY);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(noAnswer);
    }
    const again = await runBerth(['up', '--detach', '--config', config, ...PORT_FLAGS], PROMPTLY);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`berth up is already running for this config (pid ${hung.pid})`);
    // WHEN down --force THEN it and its task are gone
    const down = await runBerth(['down', '--force', '--config', config], PROMPTLY);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`! ended the supervisor (pid ${hung.pid}); ending its tasks\n`);
    expect(down.stderr).toContain(`! ended process ${task} left by a supervisor that died\n`);
    await until(() => !alive(hung.pid!) && !alive(task), 5_000, 'both to be gone');
    expect(existsSync(record)).toBe(false);
  });
});
