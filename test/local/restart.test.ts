import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteRestart, up, type LocalRun } from '../../src/local/index.ts';
import { cleanup, cruddurConfig, taskPids, tempDir } from './helpers.ts';
import { restartUnderLoad } from './wrk.ts';

describe('berth restart: a rolling replacement under load fails no request', () => {
  const dir = tempDir('restart');
  let run: LocalRun;
  const pids: number[] = [];

  beforeAll(async () => {
    run = await up(await cruddurConfig(dir), {
      scale: { backend: 2 },
      httpPort: 0,
      httpsPort: 0,
      discoveryPorts: 'free',
    });
    pids.push(...taskPids(run.status()));
  });

  afterAll(async () => {
    await run?.stop();
    cleanup(dir, pids);
  });

  it('starts the scaled count of tasks', () => {
    const backend = run.status().services.find((s) => s.id === 'backend')!;
    expect(backend.tasks.map((t) => t.health)).toEqual(['healthy', 'healthy']);
  });

  it('replaces every backend task while wrk sends requests through the edge', async () => {
    const before = run
      .status()
      .services.find((s) => s.id === 'backend')!
      .tasks.map((t) => t.id);
    // Through the control endpoint, as `berth restart backend` does.
    const {
      value: status,
      restartMs,
      coveredByLoad,
      result,
    } = await restartUnderLoad(run.status().edge.https, () => remoteRestart(run.paths, 'backend'));
    pids.push(...taskPids(status));

    const after = status.services.find((s) => s.id === 'backend')!.tasks;
    console.log(
      `rolling restart of 2 backend tasks took ${restartMs} ms; wrk sent ${result.requests} requests ` +
        `(${Math.round(result.requestsPerSecond)}/s), non-2xx ${result.non2xx}, socket errors ${JSON.stringify(result.socketErrors)}`,
    );
    expect(coveredByLoad).toBe(true);
    expect(after.map((t) => t.health)).toEqual(['healthy', 'healthy']);
    expect(after.map((t) => t.id).some((id) => before.includes(id))).toBe(false);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.non2xx).toBe(0);
    expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });
});
