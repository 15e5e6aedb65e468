import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reference from '../../examples/cruddur/berth.config.ts';
import {
  bootstrap,
  deploy,
  diff,
  type AwsEvent,
  type DeployResult,
  type TemplateTransform,
} from '../../src/aws/index.ts';
import { renderAwsEvent, renderDeploy, renderDiff } from '../../src/cli/aws-render.ts';
import { parseConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { estimateCost, loadPriceTable } from '../../src/cost/index.ts';
import { run } from '../../src/images/run.ts';
import { manifestDigest, realSteps, type RealSteps } from '../support/ecr-push.ts';
import { pushedManifest, startEcrRegistry, type EcrRegistry } from '../support/ecr-registry.ts';
import { motoClientConfig } from '../support/moto.ts';
import { motoStandIns, startMotoAccount, type MotoAccount, templateDigests } from '../support/moto-aws.ts';
import { startPublicUrls, type PublicUrls } from '../support/public-urls.ts';

/**
 * One deploy end to end with the steps the CLI uses: podman builds two small images, publish logs
 * in with moto's ECR token and pushes them with skopeo to the registry standing in for the ECR
 * host, the scan gate reads ECR's findings (seeded in moto as scan on push would make them), the
 * app stack is deployed to moto's CloudFormation, and the outside check requests the public URLs
 * from a local HTTPS server holding a certificate for them. docs/testing.md lists the stand-ins.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-'));
// On every image and layer the builds make, so the test removes exactly those.
const TEST_LABEL = `dev.berth.test=e2e-${process.pid}-${Date.now()}`;
let account: MotoAccount;
let registry: EcrRegistry;
let urls: PublicUrls;
let transform: TemplateTransform;
let steps: RealSteps;
let config: ResolvedConfig;
/** The output of each deploy as the CLI prints it, for docs/deploy.md (BERTH_E2E_TRANSCRIPT=file). */
const transcript: string[] = [];

const git = (...args: string[]) => run('git', ['-C', work, ...args]);
const commit = async (message: string) => {
  await git('add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', message);
};

/** A service's sources: the smallest image that builds without a public registry. */
function writeService(id: string, content: string): void {
  mkdirSync(path.join(work, id), { recursive: true });
  writeFileSync(
    path.join(work, id, 'Containerfile'),
    `FROM scratch\nLABEL ${TEST_LABEL}\nCOPY content.txt /content.txt\n`,
  );
  writeFileSync(path.join(work, id, 'content.txt'), content);
}

async function deployNow(title: string): Promise<{ result: DeployResult; events: AwsEvent[] }> {
  const events: AwsEvent[] = [];
  const start = Date.now();
  transcript.push(`$ berth deploy   # ${title}`);
  const result = await deploy(config, {
    steps,
    notify: (e) => {
      events.push(e);
      const line = renderAwsEvent(e, { elapsedMs: Date.now() - start });
      if (line) transcript.push(line);
    },
    method: 'direct',
    lint: false,
    transform,
    rollout: { intervalMs: 200, timeoutMs: 20_000 },
    verify: { ca: urls.ca, connectTo: urls.connectTo, attempts: 3, intervalMs: 200 },
  });
  transcript.push(renderDeploy(result), '');
  return { result, events };
}

/**
 * Per service, the ACTIVE task definition of its family in ECS: its revision and image. Two moto
 * gaps (docs/testing.md): a CloudFormation-made service is not moved to a replaced task definition
 * (its `Ref` text did not change), so the family's latest revision is read instead of
 * `service.taskDefinition`; and moto registers the replacement without the container's name and
 * image, so after a replacement only its revision tells, and the template tells the image.
 */
async function taskDefinitions(): Promise<Record<string, { image?: string; revision: number }>> {
  const ecs = new ECSClient(motoClientConfig(account.endpoint));
  try {
    const out: Record<string, { image?: string; revision: number }> = {};
    for (const id of ['backend', 'frontend']) {
      const { taskDefinition } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: `cruddur-prod-${id}` }),
      );
      const image = taskDefinition!.containerDefinitions!.find((c) => c.name === id)?.image;
      out[id] = { ...(image ? { image } : {}), revision: taskDefinition!.revision! };
    }
    return out;
  } finally {
    ecs.destroy();
  }
}

/** What the registry stand-in holds under each published tag, by digest: what was really pushed. */
async function registryDigests(images: DeployResult['images']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of images)
    out[image.service] = manifestDigest(await pushedManifest(`cruddur/${image.service}`, image.tag));
  return out;
}

const expectedImage = (service: string, digest: string) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/cruddur/${service}@${digest}`;

beforeAll(async () => {
  writeService('backend', 'backend one\n');
  writeService('frontend', 'frontend one\n');
  writeFileSync(path.join(work, 'berth.config.ts'), 'export default {};\n');
  await git('init', '-q');
  await commit('first');
  // The reference app (two services, ALB, DNS), its images built from the folders above.
  config = parseConfig(structuredClone(reference), path.join(work, 'berth.config.ts'));
  account = await startMotoAccount();
  registry = await startEcrRegistry();
  urls = await startPublicUrls([config.domain, `api.${config.domain}`]);
  ({ transform } = await motoStandIns(account, config));
  // The backend's image has one MEDIUM finding: reported, below the default --fail-on CRITICAL.
  steps = realSteps(account.endpoint, (service) =>
    service === 'backend'
      ? [{ severity: 'MEDIUM', name: 'CVE-2026-1234', packageName: 'zlib', packageVersion: '1.3' }]
      : [],
  );
  await bootstrap(config, { notify: () => {} });
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
  if (process.env.BERTH_E2E_TRANSCRIPT)
    writeFileSync(process.env.BERTH_E2E_TRANSCRIPT, transcript.join('\n'));
}, 60_000);

describe('berth deploy end to end, with the real image, scan and verify steps', () => {
  let first: DeployResult;

  it('pushes both images and deploys task definitions pinned to exactly the pushed digests, verified from outside', async () => {
    const { result, events } = await deployNow('first deploy');
    first = result;
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.stacks).toEqual([
      { name: 'CruddurRegistry', change: 'created' },
      { name: 'CruddurProd', change: 'created' },
    ]);
    expect(result.images.map((i) => [i.service, i.pushed])).toEqual([
      ['backend', true],
      ['frontend', true],
    ]);
    const pushed = await registryDigests(result.images);
    expect(result.images.map((i) => i.digest)).toEqual([pushed.backend, pushed.frontend]);
    expect(await templateDigests(account, config)).toEqual(pushed);
    expect(await taskDefinitions()).toEqual({
      backend: { image: expectedImage('backend', pushed.backend!), revision: 1 },
      frontend: { image: expectedImage('frontend', pushed.frontend!), revision: 1 },
    });
    // The scan gate read ECR's findings for the pushed digest, and let MEDIUM through.
    expect(result.scan).toEqual({
      blocked: false,
      findings: [
        expect.objectContaining({
          service: 'backend',
          severity: 'MEDIUM',
          name: 'CVE-2026-1234',
          packageName: 'zlib',
        }),
      ],
    });
    expect(events.map((e) => e.code)).toEqual(
      expect.arrayContaining(['aws.publish.pushed', 'aws.scan.complete']),
    );
    // The first deploy's cost is the whole month of the config, at the region's shipped prices.
    const month = estimateCost(config, { prices: loadPriceTable('us-east-1') }).monthlyUsd;
    expect(result.cost?.deltaUsd).toBe(month);
    expect(result.cost?.summary).toBe(`+$${month.toFixed(2)}/month: the first deploy of stage prod`);
    // The outside check reached the public host names over TLS, each answering 200.
    expect(result.verify?.checks.map((c) => [c.url, c.status, c.ok])).toEqual([
      ['https://api.cruddur.example.com/api/health-check', 200, true],
      ['https://cruddur.example.com/', 200, true],
    ]);
    expect(urls.requests).toEqual(
      expect.arrayContaining([
        { host: 'api.cruddur.example.com', path: '/api/health-check' },
        { host: 'cruddur.example.com', path: '/' },
      ]),
    );
  }, 300_000);

  it('diffs a code change in the backend as a new backend image and nothing else', async () => {
    writeService('backend', 'backend two\n');
    await commit('backend changed');
    const result = await diff(config, { notify: () => {}, method: 'template', transform });
    transcript.push('$ berth diff   # after a commit that changes backend/', renderDiff(result), '');
    expect(result.changed).toBe(true);
    expect(result.stacks.flatMap((s) => s.resources)).toEqual([]);
    expect(result.stacks.map((s) => s.otherChanges)).toEqual([0, 0]);
    expect(result.cost?.summary).toBe('no cost change');
    const { stdout } = await git('log', '-1', '--format=%H');
    expect(result.images).toEqual([
      {
        service: 'backend',
        tag: stdout.trim().slice(0, 12),
        deployed: { digest: first.images[0]!.digest, tags: [first.images[0]!.tag] },
        change: 'rebuild',
      },
      {
        service: 'frontend',
        tag: first.images[1]!.tag,
        deployed: { digest: first.images[1]!.digest, tags: [first.images[1]!.tag] },
        change: 'unchanged',
      },
    ]);
  }, 120_000);

  it('deploys that change by pushing only the backend image and updating only its task definition', async () => {
    const before = await taskDefinitions();
    const { result } = await deployNow('after a commit that changes backend/');
    expect(result.ok).toBe(true);
    expect(result.images.map((i) => [i.service, i.pushed])).toEqual([
      ['backend', true],
      ['frontend', false],
    ]);
    const pushed = await registryDigests(result.images);
    expect(result.images[0]!.digest).toBe(pushed.backend);
    expect(result.images[0]!.digest).not.toBe(first.images[0]!.digest);
    expect(result.images[1]).toEqual({ ...first.images[1], pushed: false });
    expect(result.stacks).toEqual([
      { name: 'CruddurRegistry', change: 'unchanged' },
      { name: 'CruddurProd', change: 'updated' },
    ]);
    expect(await templateDigests(account, config)).toEqual({
      backend: pushed.backend,
      frontend: first.images[1]!.digest,
    });
    // The backend's task definition is replaced (a new revision with the new image); the frontend's is not touched.
    const after = await taskDefinitions();
    expect(after.backend!.revision).toBe(2);
    expect(after.frontend).toEqual(before.frontend);
    expect((await diff(config, { notify: () => {}, method: 'template', transform })).changed).toBe(false);
  }, 300_000);

  it('pushes nothing and updates nothing on a deploy with no change, and says so', async () => {
    const before = await taskDefinitions();
    const { result, events } = await deployNow('once more, nothing changed');
    expect(result.ok).toBe(true);
    expect(result.images.every((i) => !i.pushed)).toBe(true);
    expect(result.stacks.map((s) => s.change)).toEqual(['unchanged', 'unchanged']);
    expect(result.nothingChanged).toBe(true);
    expect(events.map((e) => e.code)).not.toContain('aws.publish.push');
    expect(events.map((e) => e.message)).toContain('nothing changed: no image pushed, no stack updated');
    expect(renderDeploy(result)).toMatch(
      /^Nothing changed in stage prod .*: no image pushed, no stack updated\.$/m,
    );
    expect(await taskDefinitions()).toEqual(before);
  }, 300_000);

  it('shows the cost change of one more backend task in diff, then in the deploy summary', async () => {
    config = parseConfig(
      {
        ...structuredClone(reference),
        services: {
          ...reference.services,
          backend: {
            ...reference.services.backend!,
            scaling: { ...reference.services.backend!.scaling, desired: 2 },
          },
        },
      },
      path.join(work, 'berth.config.ts'),
    );
    // One more arm64 Fargate task of 0.25 vCPU and 0.5 GB: 730 h x (0.25 x $0.03238 + 0.5 x $0.00356) = $7.21.
    const diffed = await diff(config, { notify: () => {}, method: 'template', transform });
    transcript.push('$ berth diff   # after backend scaling.desired 1 -> 2', renderDiff(diffed), '');
    expect(diffed.cost?.summary).toBe('+$7.21/month: one more backend task');
    expect(renderDiff(diffed)).toContain('\ncost: +$7.21/month: one more backend task\n');
    const { result } = await deployNow('after backend scaling.desired 1 -> 2');
    expect(result.ok).toBe(true);
    expect(result.cost?.summary).toBe('+$7.21/month: one more backend task');
    expect(renderDeploy(result)).toContain('\ncost: +$7.21/month: one more backend task\n');
    // Deployed: the stack now records that config, and the next diff has no cost change.
    expect((await diff(config, { notify: () => {}, method: 'template', transform })).cost?.summary).toBe(
      'no cost change',
    );
  }, 300_000);
});
