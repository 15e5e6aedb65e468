import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStatus } from '../../src/local/index.ts';
import {
  alive,
  cleanup,
  CRUDDUR_CONFIG,
  PORT_FLAGS,
  startBerth,
  taskPids,
  tempDir,
  until,
  writeFlipConfig,
} from './helpers.ts';
import { runBerth } from '../support/berth-cli.ts';
import { ReaplessNamespace } from './reapless-namespace.ts';

/** The reference config copied into `dir`, so its `.berth/` state lands there; paths made absolute. */
function configIn(dir: string): string {
  const cruddur = path.dirname(CRUDDUR_CONFIG);
  const text = readFileSync(CRUDDUR_CONFIG, 'utf8')
    .replace(/^import .*$/m, '')
    .replace('defineConfig(', '(')
    .replace(/'\.\/(frontend|backend)'/g, (_m, name: string) => JSON.stringify(path.join(cruddur, name)));
  const file = path.join(dir, 'berth.config.ts');
  writeFileSync(file, text);
  return file;
}

async function statusOf(config: string): Promise<LocalStatus> {
  const r = await runBerth(['status', '--config', config, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LocalStatus;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('berth up --detach, status, restart, down: the CLI around a background supervisor', () => {
  const dir = tempDir('lifecycle');
  const config = configIn(dir);
  const pids: number[] = [];

  afterAll(async () => {
    await runBerth(['down', '--config', config]);
    cleanup(dir, pids);
  });

  it('starts in the background with -ds (--detach --scale), prints the services table, and returns once all is healthy', async () => {
    const r = await runBerth(['up', '--config', config, '-ds', 'backend=2', ...PORT_FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend\s+2\/2\s+2 healthy\s+https:\/\/api\.cruddur\.localhost:\d+\//);
    expect(r.stdout).toMatch(/frontend\s+1\/1\s+1 healthy\s+https:\/\/cruddur\.localhost:\d+\//);
    expect(r.stdout).toContain('berth down');
    const status = await statusOf(config);
    pids.push(status.pid, ...taskPids(status));
    expect(alive(status.pid)).toBe(true);
  });

  it('says so when a second berth up is started for the same config', async () => {
    const status = await statusOf(config);
    for (const extra of [['--detach'], []]) {
      const r = await runBerth(['up', '--config', config, ...extra, ...PORT_FLAGS]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`already running for this config (pid ${status.pid})`);
    }
  });

  it('restarts a service through the running supervisor', async () => {
    const before = (await statusOf(config)).services.find((s) => s.id === 'frontend')!.tasks[0]!;
    const r = await runBerth(['restart', 'frontend', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    const after = (await statusOf(config)).services.find((s) => s.id === 'frontend')!.tasks;
    pids.push(...after.flatMap((t) => (t.pid ? [t.pid] : [])));
    expect(after.map((t) => t.health)).toEqual(['healthy']);
    expect(after[0]!.id).not.toBe(before.id);
    expect(alive(before.pid!)).toBe(false);
    const typo = await runBerth(['restart', 'nope', '--config', config]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "berth: no service 'nope' in the running berth up (services: backend, frontend)\n",
    );
  });

  it('status and restart still reach the run after its config was broken or removed', async () => {
    const text = readFileSync(config, 'utf8');
    try {
      writeFileSync(config, text.replace("app: 'cruddur'", "app: 'cruddur' ,,,{"));
      const frontend = async () => (await statusOf(config)).services.find((s) => s.id === 'frontend')!;
      expect((await statusOf(config)).app).toBe('cruddur');
      const before = (await frontend()).tasks[0]!.id;
      const restart = await runBerth(['restart', 'frontend', '--config', config]);
      expect(restart.code, restart.stderr).toBe(0);
      const after = (await frontend()).tasks;
      pids.push(...after.flatMap((t) => (t.pid ? [t.pid] : [])));
      expect(after.map((t) => t.id)).not.toContain(before);
      rmSync(config);
      expect((await statusOf(config)).app).toBe('cruddur');
      // Elsewhere, with neither a config nor a run, the mistyped --config is what gets reported.
      const elsewhere = await runBerth(['status', '--config', path.join(dir, 'nope/berth.config.ts')]);
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain('no config file at');
    } finally {
      writeFileSync(config, text);
    }
  });

  it('down drains and stops everything and leaves no process behind', async () => {
    const status = await statusOf(config);
    const ports = [new URL(status.edge.https).port, new URL(status.edge.http).port].map(Number);
    const r = await runBerth(['down', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    for (const pid of [status.pid, ...taskPids(status)]) expect(alive(pid), `pid ${pid}`).toBe(false);
    for (const port of ports) expect(await portOpen(port)).toBe(false);
    expect(existsSync(path.join(dir, '.berth/supervisor.json'))).toBe(false);
    expect((await runBerth(['down', '--config', config])).stderr).toContain('nothing is running');
  });

  it('a foreground berth up stops in order on SIGTERM, within the drain time', async () => {
    const { child, output, exited } = startBerth(['up', '--config', config, ...PORT_FLAGS]);
    try {
      await until(() => output().includes('Ctrl-C stops everything'), 60_000, 'berth up to be ready');
      const status = await statusOf(config);
      pids.push(...taskPids(status));
      const started = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Idle targets leave at once (about 0.1 s here); the bound is the backend's deregistration delay
      // (shutdownSeconds + 5 = 15 s) plus its shutdown time (10 s): only a stop that hangs exceeds it.
      expect(Date.now() - started).toBeLessThan(25_000);
      for (const pid of taskPids(status)) expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(output()).toMatch(
        /draining and stopping[\s\S]*backend-\d+ stopped[\s\S]*no task is left running/,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a second signal kills every task at once and exits 130', async () => {
    // A task that ignores SIGTERM keeps the first stop waiting for its 60 s shutdown time.
    const stubborn = writeFlipConfig(
      dir,
      { environment: { STUBBORN: '1' }, shutdownSeconds: 60 },
      'stubborn.config.ts',
    );
    const { child, output, exited } = startBerth(['up', '--config', stubborn, ...PORT_FLAGS]);
    try {
      await until(() => output().includes('Ctrl-C stops everything'), 60_000, 'berth up to be ready');
      const status = await statusOf(stubborn);
      pids.push(...taskPids(status));
      child.kill('SIGINT');
      await until(() => output().includes('draining and stopping'), 10_000, 'the first stop');
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(output()).toContain('SIGINT again: killing every task');
      // SIGKILL: gone at once, not after the 60 s shutdown time.
      for (const pid of taskPids(status)) await until(() => !alive(pid), 2_000, `pid ${pid} to be gone`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a signal while tasks are starting stops what has started and exits 130', async () => {
    const { child, output, exited } = startBerth(['up', '--config', config, ...PORT_FLAGS]);
    try {
      await until(() => output().includes('starting backend-'), 60_000, 'tasks to start');
      child.kill('SIGTERM');
      expect(await exited).toBe(130);
      expect(output()).toContain('no task is left running');
      expect(output()).not.toContain('Ctrl-C stops everything');
      expect(existsSync(path.join(dir, '.berth/supervisor.json'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  /**
   * A detached run whose supervisor is then killed, in a PID namespace whose PID 1 never reaps: the
   * supervisor stays a zombie (as under an init that does not reap, on any machine), and its tasks
   * keep running with no one to stop them. The namespace's PIDs are not those of this process.
   */
  async function orphanedRun(ns: ReaplessNamespace): Promise<LocalStatus> {
    const up = await ns.berth(['up', '--config', config, '--detach', ...PORT_FLAGS]);
    expect(up.code, up.stderr).toBe(0);
    const orphaned = await statusIn(ns);
    ns.kill(orphaned.pid, 'SIGKILL');
    await until(() => ns.zombie(orphaned.pid), 5_000, 'the supervisor to be a zombie');
    // backend and frontend: the checks on the orphans below have something to check
    expect(taskPids(orphaned)).toHaveLength(2);
    for (const pid of taskPids(orphaned)) expect(ns.alive(pid)).toBe(true);
    return orphaned;
  }

  async function statusIn(ns: ReaplessNamespace): Promise<LocalStatus> {
    const r = await ns.berth(['status', '--config', config, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LocalStatus;
  }

  /** Runs `scenario` in a fresh reapless namespace, and ends everything in it afterwards. */
  async function inReaplessNamespace(scenario: (ns: ReaplessNamespace) => Promise<void>): Promise<void> {
    const ns = await ReaplessNamespace.start();
    try {
      await scenario(ns);
    } finally {
      await ns.close();
      // A scenario that failed half-way leaves a record of PIDs that mean nothing outside the namespace.
      rmSync(path.join(dir, '.berth/supervisor.json'), { force: true });
    }
  }

  it('a later berth up ends the tasks of a supervisor that was killed, though it stays a zombie', () =>
    inReaplessNamespace(async (ns) => {
      const orphaned = await orphanedRun(ns);

      // A trailing `--` (nothing after it) must reach the background supervisor harmlessly too.
      const r = await ns.berth(['up', '--config', config, '--detach', ...PORT_FLAGS, '--']);
      expect(r.code, r.stderr).toBe(0);
      for (const pid of taskPids(orphaned)) expect(ns.alive(pid), `orphan ${pid}`).toBe(false);
      // up --detach ends a dead run's leftovers in the foreground, where its notes are seen.
      expect(r.stderr).toContain('left by a supervisor that died');
      const down = await ns.berth(['down', '--config', config]);
      expect(down.code, down.stderr).toBe(0);
    }));

  it('down ends the tasks of a supervisor that was killed, though it stays a zombie, and says so', () =>
    inReaplessNamespace(async (ns) => {
      const orphaned = await orphanedRun(ns);

      const status = await ns.berth(['status', '--config', config]);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain(`supervisor (pid ${orphaned.pid}) has died`);
      expect(status.stderr).toContain('berth down');

      const r = await ns.berth(['down', '--config', config]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `! the supervisor of the last run (pid ${orphaned.pid}) has died; ending what it left\n`,
      );
      for (const pid of taskPids(orphaned))
        expect(r.stderr).toContain(`! ended process ${pid} left by a supervisor that died\n`);
      for (const pid of taskPids(orphaned)) expect(ns.alive(pid), `orphan ${pid}`).toBe(false);
      expect(existsSync(path.join(dir, '.berth/supervisor.json'))).toBe(false);
      expect((await ns.berth(['down', '--config', config])).stderr).toContain('nothing is running');
    }));
});
