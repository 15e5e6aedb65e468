import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../ci/fixtures.ts';
import reference from '../../examples/cruddur/berth.config.ts';
import {
  bootstrap,
  deploy,
  type AwsEvent,
  type DeployResult,
  type TemplateTransform,
} from '../../src/aws/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { run } from '../../src/images/run.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { manifestDigest, realSteps, type RealSteps } from '../support/ecr-push.ts';
import { pushedManifest, startEcrRegistry, type EcrRegistry } from '../support/ecr-registry.ts';
import { motoStandIns, startMotoAccount, type MotoAccount, templateDigests } from '../support/moto-aws.ts';
import { startPublicUrls, type PublicUrls } from '../support/public-urls.ts';

/**
 * Promotion by digest, as the CI workflow of `berth ci init` runs it: `berth deploy --stage
 * staging` builds and pushes once, `berth deploy --stage prod --images-from staging` deploys the
 * digests staging runs, building and pushing nothing. The real publish, scan gate and outside
 * check run (podman, the registry standing in for ECR, moto), as in e2e-deploy.test.ts.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'berth-promote-'));
const TEST_LABEL = `dev.berth.test=promote-${process.pid}-${Date.now()}`;
let account: MotoAccount;
let registry: EcrRegistry;
let urls: PublicUrls;
let transform: TemplateTransform;
let steps: RealSteps;
let staging: ResolvedConfig;
let prod: ResolvedConfig;

const git = (...args: string[]) => run('git', ['-C', work, ...args]);

function writeService(id: string, content: string): void {
  mkdirSync(path.join(work, id), { recursive: true });
  writeFileSync(
    path.join(work, id, 'Containerfile'),
    `FROM scratch\nLABEL ${TEST_LABEL}\nCOPY content.txt /content.txt\n`,
  );
  writeFileSync(path.join(work, id, 'content.txt'), content);
}

function stageConfig(stage: string, domain: string): ResolvedConfig {
  const parsed = parseConfig({ ...structuredClone(reference), domain }, path.join(work, 'berth.config.ts'), {
    stage,
  });
  // Both stages in one account and region (one registry), as test/ci's fixture lists them.
  return { ...parsed, stages: STAGES };
}

async function deployStage(
  config: ResolvedConfig,
  imagesFrom?: string,
): Promise<{ result: DeployResult; events: AwsEvent[] }> {
  const events: AwsEvent[] = [];
  const result = await deploy(config, {
    steps,
    notify: (e) => events.push(e),
    method: 'direct',
    lint: false,
    transform,
    ...(imagesFrom ? { imagesFrom } : {}),
    rollout: { intervalMs: 200, timeoutMs: 20_000 },
    verify: { ca: urls.ca, connectTo: urls.connectTo, attempts: 3, intervalMs: 200 },
  });
  return { result, events };
}

beforeAll(async () => {
  writeService('backend', 'backend one\n');
  writeService('frontend', 'frontend one\n');
  writeFileSync(path.join(work, 'berth.config.ts'), 'export default {};\n');
  await git('init', '-q');
  await git('add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'first');
  staging = stageConfig('staging', 'staging.cruddur.example.com');
  prod = stageConfig('prod', 'cruddur.example.com');
  account = await startMotoAccount();
  registry = await startEcrRegistry();
  urls = await startPublicUrls([
    'staging.cruddur.example.com',
    'api.staging.cruddur.example.com',
    'cruddur.example.com',
    'api.cruddur.example.com',
  ]);
  ({ transform } = await motoStandIns(account, prod));
  steps = realSteps(account.endpoint);
  await bootstrap(prod, { notify: () => {} });
}, 180_000);

afterAll(async () => {
  const { stdout } = await run('podman', [
    'images',
    '--all',
    '--quiet',
    '--filter',
    `label=${TEST_LABEL}`,
  ]).catch(() => ({ stdout: '' }));
  const ids = [...new Set(stdout.split('\n').filter(Boolean))];
  if (ids.length > 0) await run('podman', ['rmi', '--force', ...ids]).catch(() => {});
  await urls?.stop();
  await registry?.stop();
  await account?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('berth deploy --images-from: one build, the same digests in two stages', () => {
  let built: DeployResult;

  it('refuses a source stage the config does not declare, before anything runs', async () => {
    const events: AwsEvent[] = [];
    await expect(
      deploy(prod, { steps, notify: (e) => events.push(e), imagesFrom: 'qa', method: 'direct' }),
    ).rejects.toThrow(
      new UsageError('--images-from qa: the config declares no stage qa (it declares staging, prod)'),
    );
    expect(events).toEqual([]);
  });

  it('refuses a source stage in another account: promotion by digest needs one registry', async () => {
    const elsewhere = { ...prod, stages: [{ ...STAGES[0]!, account: '210987654321' }, STAGES[1]!] };
    await expect(
      deploy(elsewhere, { steps, notify: () => {}, imagesFrom: 'staging', method: 'direct' }),
    ).rejects.toThrow(
      /stage staging uses the registry of 210987654321\/us-east-1 .* promotion by digest needs one registry/,
    );
  });

  it('refuses to promote from a stage that runs nothing yet', async () => {
    await expect(deployStage(prod, 'staging')).rejects.toThrow(
      /^stage staging runs no image of backend, frontend to promote; deploy stage staging first/,
    );
  }, 120_000);

  it('builds and pushes each image once, for the first stage', async () => {
    const { result } = await deployStage(staging);
    built = result;
    expect(result.failure).toBeUndefined();
    expect(result.images.map((i) => [i.service, i.pushed])).toEqual([
      ['backend', true],
      ['frontend', true],
    ]);
    const pushed = {
      backend: manifestDigest(await pushedManifest('cruddur/backend', result.images[0]!.tag)),
      frontend: manifestDigest(await pushedManifest('cruddur/frontend', result.images[1]!.tag)),
    };
    expect(await templateDigests(account, staging)).toEqual(pushed);
  }, 300_000);

  it('deploys production with exactly the digests staging runs, building and pushing nothing', async () => {
    const { result, events } = await deployStage(prod, 'staging');
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    // No build, no push: the publish step never ran a second time.
    expect(steps.published).toHaveLength(1);
    const codes = events.map((e) => e.code).filter((c) => c.startsWith('aws.publish.'));
    expect(codes).toEqual(['aws.publish.promote', 'aws.publish.promote']);
    expect(result.images).toEqual(built.images.map((i) => ({ ...i, pushed: false })));
    expect(await templateDigests(account, prod)).toEqual(await templateDigests(account, staging));
    expect(await templateDigests(account, prod)).toEqual({
      backend: built.images[0]!.digest,
      frontend: built.images[1]!.digest,
    });
    // The scan gate judged the promoted digests again (findings can appear after a push).
    expect(events.filter((e) => e.code === 'aws.scan.complete')).toHaveLength(2);
  }, 300_000);
});
