import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingSecretError, up, type LocalRun, type LocalStatus } from '../../src/local/index.ts';
import { cleanup, edgeRequest, flipConfig, recorder, taskPids, tempDir, until } from './helpers.ts';

const INTERVAL_MS = 200;

async function flip(port: number): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/flip`, { method: 'POST' });
}

/** Which task answered each of `n` requests through the edge. */
async function answeredBy(status: LocalStatus, n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await edgeRequest(status, 'flip.localhost', '/');
    expect(res.status).toBe(200);
    ports.push(JSON.parse(res.body).port);
  }
  return ports;
}

describe('target health: only healthy targets get traffic, with the thresholds of the config', () => {
  const dir = tempDir('health');
  let run: LocalRun;
  const { events, notify } = recorder();
  const pids: number[] = [];

  beforeAll(async () => {
    mkdirSync(path.join(dir, '.berth'), { recursive: true });
    writeFileSync(path.join(dir, '.berth/secrets.local.json'), JSON.stringify({ '/flip/api-key': 's3cret' }));
    writeFileSync(
      path.join(dir, '.berth/environment.local.json'),
      JSON.stringify({ web: { EXTRA: 'local' } }),
    );
    const config = flipConfig(dir, {
      environment: { PUBLIC_URL: 'https://api.flip.example.com/v1', PLAIN: 'plain' },
      secrets: { API_KEY: { ssm: '/flip/api-key' } },
    });
    run = await up(config, {
      scale: { web: 2 },
      healthIntervalMs: INTERVAL_MS,
      httpPort: 0,
      httpsPort: 0,
      discoveryPorts: 'free',
      notify,
    });
    pids.push(...taskPids(run.status()));
  });

  afterAll(async () => {
    await run?.stop();
    cleanup(dir, pids);
  });

  const health = (id: string) => run.status().services[0]!.tasks.find((t) => t.id === id)?.health;

  it('gives each task the config environment, PORT, SERVICE_<NAME>_URL, secrets and local overrides', async () => {
    const status = run.status();
    const res = await edgeRequest(status, 'flip.localhost', '/');
    const env = JSON.parse(res.body).env as Record<string, string>;
    const httpsPort = new URL(status.edge.https).port;
    expect(env).toMatchObject({
      PLAIN: 'plain',
      PUBLIC_URL: `https://api.flip.localhost:${httpsPort}/v1`,
      API_KEY: 's3cret',
      EXTRA: 'local',
      HOST: '127.0.0.1',
      SERVICE_WEB_URL: status.services[0]!.discoveryUrl,
    });
    expect(Number(env.PORT)).toBe(JSON.parse(res.body).port);
  });

  it('balances over both healthy tasks', async () => {
    const [a, b] = run.status().services[0]!.tasks;
    expect(new Set(await answeredBy(run.status(), 6))).toEqual(new Set([a!.port, b!.port]));
  });

  it('takes a failing task out after unhealthyThreshold checks, and back after healthyThreshold', async () => {
    const [a, b] = run.status().services[0]!.tasks;
    await flip(a!.port);
    const seen = events.length;
    const out = await until(() => health(a!.id) === 'unhealthy', 10_000, `${a!.id} unhealthy`);
    // 3 failed checks 200 ms apart cannot take less than two intervals: one failure is not enough.
    // (No upper bound: a busy machine only delays the checks; the wait's timeout is the limit.)
    expect(out).toBeGreaterThanOrEqual(2 * INTERVAL_MS - 50);
    expect(new Set(await answeredBy(run.status(), 6))).toEqual(new Set([b!.port]));

    await flip(a!.port);
    const back = await until(() => health(a!.id) === 'healthy', 10_000, `${a!.id} healthy again`);
    // 2 passing checks: at least one interval apart.
    expect(back).toBeGreaterThanOrEqual(1 * INTERVAL_MS - 50);
    expect(new Set(await answeredBy(run.status(), 6))).toEqual(new Set([a!.port, b!.port]));
    // Exactly one transition each way, in order, and the other task never changed.
    const transitions = events
      .slice(seen)
      .filter((e) => e.code === 'task.unhealthy' || e.code === 'task.healthy')
      .map((e) => [e.code, e.data?.task]);
    expect(transitions).toEqual([
      ['task.unhealthy', a!.id],
      ['task.healthy', a!.id],
    ]);
  });

  it('answers 503 while no task is healthy, as the ALB does with no healthy target', async () => {
    const tasks = run.status().services[0]!.tasks;
    await Promise.all(tasks.map((t) => flip(t.port)));
    await until(() => tasks.every((t) => health(t.id) === 'unhealthy'), 5_000, 'all unhealthy');
    expect((await edgeRequest(run.status(), 'flip.localhost', '/')).status).toBe(503);
    await Promise.all(tasks.map((t) => flip(t.port)));
    await until(() => tasks.every((t) => health(t.id) === 'healthy'), 5_000, 'all healthy again');
  });

  it('replaces a task that dies, as ECS does, and keeps serving from the other', async () => {
    const [a, b] = run.status().services[0]!.tasks;
    process.kill(a!.pid!, 'SIGKILL');
    await until(
      () => events.some((e) => e.code === 'task.exited' && e.data?.task === a!.id),
      5_000,
      'exit seen',
    );
    expect(new Set(await answeredBy(run.status(), 4))).toEqual(new Set([b!.port]));
    await until(
      () => run.status().services[0]!.tasks.filter((t) => t.health === 'healthy').length === 2,
      10_000,
      'a healthy replacement',
    );
    pids.push(...taskPids(run.status()));
    expect(run.status().services[0]!.tasks.map((t) => t.id)).not.toContain(a!.id);
  });
});

describe('secrets come from a local file that is never committed', () => {
  const dir = tempDir('secrets');
  afterAll(() => cleanup(dir));

  it('names each missing secret and the file to put it in, before starting anything', async () => {
    const config = flipConfig(dir, { secrets: { API_KEY: { ssm: '/flip/api-key' } } });
    const { events, notify } = recorder();
    const started = up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free', notify });
    await expect(started).rejects.toThrow(MissingSecretError);
    await expect(started).rejects.toMatchObject({
      file: path.join(dir, '.berth/secrets.local.json'),
      missing: [{ service: 'web', variable: 'API_KEY', key: '/flip/api-key' }],
    });
    await expect(started).rejects.toThrow(
      'web: API_KEY needs "/flip/api-key"; add "/flip/api-key": "<value>"',
    );
    expect(events.filter((e) => e.code.startsWith('task.'))).toEqual([]);
    expect(existsSync(path.join(dir, '.berth/supervisor.json'))).toBe(false);
    expect(existsSync(path.join(dir, '.berth/.gitignore'))).toBe(true);
  });
});
