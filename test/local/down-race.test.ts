import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SupervisorRecord } from '../../src/local/state/supervisor-record.ts';
import { runBerth } from '../support/berth-cli.ts';
import { alive, cleanup, PORT_FLAGS, tempDir, until, writeFlipConfig } from './helpers.ts';

describe('berth down while berth up --detach is still starting (issue 19)', () => {
  const dir = tempDir('down-race');
  const config = path.join(dir, 'berth.config.mjs');
  const recordFile = path.join(dir, '.berth', 'supervisor.json');
  afterAll(async () => {
    await runBerth(['down', '--force', '--config', config]);
    cleanup(dir);
  });

  it('waits for the background supervisor and stops it, instead of saying nothing runs while it comes up', async () => {
    // GIVEN a config that takes seconds to load, as in the background supervisor's first moments
    writeFlipConfig(dir, {}, 'berth.config.mjs');
    writeFileSync(
      config,
      `await new Promise((resolve) => setTimeout(resolve, 4000));\n${readFileSync(config, 'utf8')}`,
    );
    const up = runBerth(['up', '--detach', '--config', config, ...PORT_FLAGS], { timeoutMs: 50_000 });
    // WHEN berth down comes as soon as up has started its background supervisor
    await until(() => existsSync(recordFile), 20_000, 'up to start its background supervisor');
    const starting = JSON.parse(readFileSync(recordFile, 'utf8')) as SupervisorRecord;
    expect(starting).toMatchObject({ phase: 'starting', control: { port: 0 } });
    const down = await runBerth(['down', '--config', config], { timeoutMs: 50_000 });
    // THEN down waits for it and stops it, and says so
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`· berth up (pid ${starting.pid}) is starting: waiting to stop it\n`);
    expect(down.stdout).toBe(`stopped (supervisor ${starting.pid} and all its tasks are gone)\n`);
    // AND up says that it was stopped before it came up, and nothing of it is left
    const upRun = await up;
    expect(upRun.code, upRun.stderr).toBe(1);
    expect(upRun.stderr).toContain('stopped before every service was healthy');
    expect(alive(starting.pid)).toBe(false);
    expect(existsSync(recordFile)).toBe(false);
    const status = await runBerth(['status', '--config', config]);
    expect(status.stderr).toContain('nothing is running for this config');
  }, 60_000);
});
