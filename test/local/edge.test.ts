import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyRunningError, LocalRun, up, type LocalStatus } from '../../src/local/index.ts';
import { edgeContract } from './edge-contract.ts';
import { cleanup, cruddurConfig, recorder, taskPids, tempDir } from './helpers.ts';

// The reference config on the process engine, through the local edge, as a browser would use it.
describe('berth up (process engine): the edge applies the ALB rules of the config', () => {
  const dir = tempDir('edge');
  let run: LocalRun;
  let status: LocalStatus;
  const { events, notify } = recorder();

  beforeAll(async () => {
    const config = await cruddurConfig(dir);
    run = await up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free', notify });
    status = run.status();
  });

  afterAll(async () => {
    const pids = status ? taskPids(status) : [];
    await run?.stop();
    cleanup(dir, pids);
  });

  edgeContract(() => status);

  it('lets services reach each other by name through SERVICE_<NAME>_URL', async () => {
    const backend = status.services.find((s) => s.id === 'backend')!;
    const res = await fetch(`${backend.discoveryUrl}/api/health-check`);
    expect(await res.json()).toEqual({ success: true });
  });

  it('creates the local certificate authority once and says how to trust it', () => {
    expect(events.filter((e) => e.code === 'tls.ca-created')).toHaveLength(1);
    expect(events.find((e) => e.code === 'tls.ca-created')?.data?.trustCommands).toEqual(
      expect.arrayContaining([expect.stringContaining(status.caCertFile)]),
    );
  });

  it('refuses a second berth up for the same config instead of failing on a busy port', async () => {
    const config = await cruddurConfig(dir);
    await expect(up(config, { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' })).rejects.toThrow(
      AlreadyRunningError,
    );
    expect(run.phase).toBe('running');
  });
});
