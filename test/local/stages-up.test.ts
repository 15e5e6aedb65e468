import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStatus } from '../../src/local/index.ts';
import { runBerth } from '../support/berth-cli.ts';
import { cleanup, edgeRequest, flipRaw, PORT_FLAGS, taskPids, tempDir } from './helpers.ts';

/**
 * `berth up --stage dev` runs the dev stage's values on this machine: its environment, its secret
 * references (read from the local secrets file) and its scaling, through the process engine.
 */
describe('berth up --stage', () => {
  const dir = tempDir('stages-up');
  const config = path.join(dir, 'berth.config.json');
  const pids: number[] = [];

  afterAll(async () => {
    await runBerth(['down', '--config', config]);
    cleanup(dir, pids);
  });

  it("runs the dev stage's environment, secret and task count, not the base's", async () => {
    writeFileSync(
      config,
      JSON.stringify({
        ...flipRaw({
          environment: { GREETING: 'from the base', KEEP: 'base' },
          secrets: { API_KEY: { ssm: '/flip/prod/api-key' } },
        }),
        stages: {
          dev: {
            services: {
              web: {
                environment: { GREETING: 'from dev' },
                secrets: { API_KEY: { ssm: '/flip/dev/api-key' } },
                scaling: { desired: 2, min: 2 },
              },
            },
          },
          prod: {},
        },
      }),
    );
    mkdirSync(path.join(dir, '.berth'), { recursive: true });
    writeFileSync(
      path.join(dir, '.berth/secrets.local.json'),
      JSON.stringify({ '/flip/prod/api-key': 'prod-key', '/flip/dev/api-key': 'dev-key' }),
    );

    const up = await runBerth(['up', '--config', config, '--stage', 'dev', '--detach', ...PORT_FLAGS]);
    expect(up.code, up.stderr).toBe(0);
    const status = await runBerth(['status', '--config', config, '--json']);
    const local = JSON.parse(status.stdout) as LocalStatus;
    pids.push(local.pid, ...taskPids(local));

    expect(local.services.find((s) => s.id === 'web')!.tasks).toHaveLength(2);
    const answer = await edgeRequest(local, 'flip.localhost', '/');
    expect(answer.status).toBe(200);
    const env = (JSON.parse(answer.body) as { env: Record<string, string> }).env;
    expect(env).toMatchObject({ GREETING: 'from dev', KEEP: 'base', API_KEY: 'dev-key' });
  }, 60_000);
});
