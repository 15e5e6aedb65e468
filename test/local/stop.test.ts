import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { up } from '../../src/local/index.ts';
import { cleanup, flipConfig, tempDir } from './helpers.ts';

/** PIDs of live processes that carry this run's marker (Linux /proc). */
function processesOfRun(runId: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`BERTH_RUN_ID=${runId}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('berth down while tasks are being started leaves nothing running', () => {
  const dir = tempDir('stop');
  const leftovers: number[] = [];

  afterAll(() => cleanup(dir, leftovers));

  it('stops the tasks a restart is still starting', async () => {
    // GIVEN a running service
    const run = await up(flipConfig(dir), { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' });
    // WHEN a stop comes while a restart is starting the new task
    const restarting = run.restart('web').catch((err: Error) => err);
    await run.stop();
    // THEN no process of the run is left, the new task included
    leftovers.push(...processesOfRun(run.runId));
    expect(leftovers).toEqual([]);
    await restarting;
  });
});
