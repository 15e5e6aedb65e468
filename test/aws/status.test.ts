import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageStatus } from '../../src/aws/status.ts';
import { renderStageStatus } from '../../src/cli/operate-render.ts';
import { cruddur, REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { startMoto, type Moto, useEmulatorAsAws } from '../support/moto.ts';
import { seedStage, type SeededStage } from '../support/moto-stage.ts';

// A deployed stage as moto holds it (test/support/moto-stage.ts): the backend runs the image pushed
// before the last one, with one registered (healthy) target; the frontend wants 2 tasks while moto
// reports 1 running (MOTO_ECS_SERVICE_RUNNING=1), so its rollout stays IN_PROGRESS.

const ROOT = path.resolve(import.meta.dirname, '../..');
const config = cruddur();
let moto: Moto;
let stage: SeededStage;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
  useEmulatorAsAws(moto.endpoint);
  stage = await seedStage(moto.endpoint, config, {
    backend: { desired: 1, pushed: 2, running: 0, targets: 1 },
    frontend: { desired: 2, pushed: 1 },
  });
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

describe('stageStatus', () => {
  it('reads each service: tasks, rollout, running digest against the last pushed, targets, URL', async () => {
    const status = await stageStatus({ config });
    expect(status).toMatchObject({
      answeredBy: 'stage prod (account 123456789012, us-east-1)',
      cluster: 'cruddur-prod',
      deployed: true,
    });
    const [backend, frontend] = status.services;
    expect(backend).toMatchObject({
      id: 'backend',
      name: 'cruddur-prod-backend',
      desired: 1,
      running: 1,
      pending: 0,
      rollout: { state: 'COMPLETED' },
      digest: stage.services.backend!.digests[0],
      latestPushed: stage.services.backend!.digests[1],
      current: false,
      targets: { healthy: 1, unhealthy: 0, other: 0, reasons: [] },
      url: 'https://api.cruddur.example.com',
      problems: ['runs an older image than the last one pushed'],
    });
    expect(frontend).toMatchObject({
      id: 'frontend',
      desired: 2,
      running: 1,
      pending: 1,
      rollout: { state: 'IN_PROGRESS' },
      digest: stage.services.frontend!.digests[0],
      current: true,
      targets: { healthy: 0, unhealthy: 0 },
      url: 'https://cruddur.example.com',
      problems: ['1 of 2 tasks running', 'rollout in progress', 'no healthy target'],
    });
  });

  it('says so when the stage has no cluster', async () => {
    // Each stage has its own cluster; staging's was never deployed.
    const staging = await stageStatus({ config: { ...config, stage: 'staging' } });
    expect(staging.deployed).toBe(false);
    expect(renderStageStatus(staging)).toBe(
      'stage staging (account 123456789012, us-east-1)\n\nNot deployed: no cluster cruddur-staging. Deploy it with berth deploy --stage staging.',
    );
  });

  it('renders one row per service and what is wrong below', async () => {
    const text = renderStageStatus(await stageStatus({ config }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('stage prod (account 123456789012, us-east-1)');
    expect(lines[2]).toMatch(/^service\s+tasks\s+rollout\s+image\s+targets\s+url$/);
    const short = (d: string) => d.slice(0, 19);
    const [older, latest] = stage.services.backend!.digests;
    expect(text).toMatch(
      new RegExp(
        `backend\\s+1/1 running\\s+COMPLETED\\s+${short(older!)} \\(last pushed: ${short(latest!)}\\)\\s+1 healthy\\s+https://api.cruddur.example.com`,
      ),
    );
    expect(text).toMatch(
      /frontend\s+1\/2 running, 1 pending\s+IN_PROGRESS\s+\S+ \(last pushed\)\s+0 healthy\s+https:\/\/cruddur.example.com/,
    );
    expect(text).toContain('frontend: 1 of 2 tasks running; rollout in progress; no healthy target');
  });
});

describe('berth status --stage', () => {
  it('answers for the stage, as JSON', async () => {
    const r = await runBerth(['status', '--stage', 'prod', '--config', REFERENCE_FILE, '--json'], {
      cwd: ROOT,
    });
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.answeredBy).toBe('stage prod (account 123456789012, us-east-1)');
    expect(status.services.map((s: { id: string; running: number }) => `${s.id} ${s.running}`)).toEqual([
      'backend 1',
      'frontend 1',
    ]);
  });

  it('refuses a bad stage name as a usage error', async () => {
    const r = await runBerth(['status', '--stage', 'Prod!', '--config', REFERENCE_FILE], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^berth: --stage "Prod!": a stage must be/);
  });

  it('refuses credentials for another account, naming both (exit 2)', async () => {
    const other = path.join(ROOT, 'test/aws/fixtures/other-account.config.ts');
    const r = await runBerth(['status', '--stage', 'prod', '--config', other], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /credentials are for account 123456789012 .* config deploys to account 210987654321/,
    );
  });
});

describe('berth status --stage --watch', () => {
  it('prints one JSON document per read until Ctrl-C, then exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const { BERTH_BIN } = await import('../support/berth-cli.ts');
    const child = spawn(
      process.execPath,
      [BERTH_BIN, 'status', '--stage', 'prod', '--config', REFERENCE_FILE, '--watch', '--json'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const documents = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { answeredBy: string });
    expect(documents.length).toBeGreaterThanOrEqual(1);
    expect(documents[0]!.answeredBy).toBe('stage prod (account 123456789012, us-east-1)');
  });
});
