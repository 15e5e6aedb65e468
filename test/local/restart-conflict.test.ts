import { afterAll, describe, expect, it } from 'vitest';
import { remoteRestart } from '../../src/local/control.ts';
import { up, type LocalRun } from '../../src/local/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cleanup, flipConfig, taskPids, tempDir } from './helpers.ts';

describe('berth restart: one restart of a service at a time', () => {
  const dir = tempDir('restart-conflict');
  let run: LocalRun | undefined;
  const pids: number[] = [];

  afterAll(async () => {
    await run?.stop();
    cleanup(dir, pids);
  });

  it('refuses a second restart while one runs (400, a usage error) and keeps the task count', async () => {
    // GIVEN a service with one task, being restarted
    run = await up(flipConfig(dir), {
      httpPort: 0,
      httpsPort: 0,
      discoveryPorts: 'free',
      healthIntervalMs: 100,
    });
    const first = run.restart('web');
    // WHEN a second restart comes through the control endpoint, as from berth restart
    const second = remoteRestart(run.paths, 'web');
    // THEN it is refused and the first one completes with one task, not two
    await expect(second).rejects.toThrow(UsageError);
    await expect(second).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('web is already restarting'),
    });
    await first;
    const tasks = run.status().services[0]!.tasks;
    pids.push(...taskPids(run.status()));
    expect(tasks.map((t) => t.health)).toEqual(['healthy']);
    // And once it is done, the service can be restarted again.
    await run.restart('web');
    expect(run.status().services[0]!.tasks).toHaveLength(1);
  });
});
