import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsEvent } from '../../src/aws/events.ts';
import { publishImages, sourceVersion } from '../../src/aws/images/publish.ts';
import type { PublishedImage } from '../../src/aws/deploy/steps.ts';
import { parseConfig, type BerthConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { buildImages } from '../../src/images/build.ts';
import type { ImageEvent } from '../../src/images/events.ts';
import { mirrorImage } from '../../src/images/mirror.ts';
import { run } from '../../src/images/run.ts';
import { BerthError } from '../../src/shared/errors.ts';
import {
  ECR_HOST,
  ECR_PASSWORD,
  ECR_USER,
  startEcrRegistry,
  type EcrRegistry,
} from '../support/ecr-registry.ts';
import { motoClientConfig, startMoto, type Moto, useEmulatorAsAws } from '../support/moto.ts';

// A real push: the image is built with podman, ECR's login comes from moto's
// GetAuthorizationToken, and skopeo pushes to a real registry that answers as the ECR host name.
// moto's ECR API stores no layers, so each pushed manifest is mirrored into it with PutImage (as
// ECR itself would record the push); publishImages then reads ECR's view of the tag from moto.

const REPOSITORY = 'shop/api';
const work = mkdtempSync(path.join(os.tmpdir(), 'berth-publish-test-'));
let moto: Moto;
let registry: EcrRegistry;
let ecr: ECRClient;
let config: ResolvedConfig;
const localImages = new Set<string>();
// On every image and intermediate layer the builds make, so the test removes exactly those.
const TEST_LABEL = `dev.berth.test=publish-${process.pid}-${Date.now()}`;
const savedEnv = { ...process.env };

const git = (...args: string[]) => run('git', ['-C', work, ...args]);

function appConfig(): ResolvedConfig {
  return parseConfig(appConfigRaw(), path.join(work, 'berth.config.ts'));
}

async function publish(): Promise<{ images: readonly PublishedImage[]; events: AwsEvent[] }> {
  const events: AwsEvent[] = [];
  const images = await publishImages({ config, notify: (e) => events.push(e) });
  for (const image of images) localImages.add(`localhost/${REPOSITORY}:${image.tag}`);
  return { images, events };
}

/** What ECR records after a push, told to moto by hand: the manifest under its tag and digest. */
async function recordInEcr(image: PublishedImage): Promise<void> {
  const manifest = await registry.manifest(REPOSITORY, image.tag);
  await ecr.send(
    new PutImageCommand({
      repositoryName: REPOSITORY,
      imageTag: image.tag,
      imageDigest: image.digest,
      imageManifest: manifest,
      imageManifestMediaType: (JSON.parse(manifest) as { mediaType: string }).mediaType,
    }),
  );
}

beforeAll(async () => {
  moto = await startMoto();
  registry = await startEcrRegistry();
  useEmulatorAsAws(moto.endpoint, { AWS_REGION: 'us-east-1' });
  ecr = new ECRClient(motoClientConfig(moto.endpoint));
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: REPOSITORY,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    }),
  );
  // The smallest image that builds without a public registry: FROM scratch and one file.
  mkdirSync(path.join(work, 'api'));
  writeFileSync(
    path.join(work, 'api/Containerfile'),
    `FROM scratch\nLABEL ${TEST_LABEL}\nARG CREATED\nLABEL org.opencontainers.image.created=$CREATED\nCOPY hello.txt /hello.txt\n`,
  );
  writeFileSync(path.join(work, 'api/hello.txt'), 'one\n');
  writeFileSync(path.join(work, 'berth.config.ts'), 'export default {};\n');
  await git('init', '-q');
  await git('add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'first');
  config = appConfig();
}, 120_000);

afterAll(async () => {
  for (const image of localImages) await run('podman', ['rmi', '--force', image]).catch(() => {});
  // A tag that moved to a newer build leaves the older image and its layers untagged.
  const { stdout } = await run('podman', ['images', '--all', '--quiet', '--filter', `label=${TEST_LABEL}`]);
  const ids = [...new Set(stdout.split('\n').filter(Boolean))];
  if (ids.length > 0) await run('podman', ['rmi', '--force', ...ids]).catch(() => {});
  ecr?.destroy();
  await registry?.stop();
  await moto?.stop();
  process.env = savedEnv;
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('publishImages', () => {
  let first: PublishedImage;

  it('builds, tags with the commit and pushes to <account>.dkr.ecr.<region>.amazonaws.com/<app>/<service>', async () => {
    const { stdout: commit } = await git('rev-parse', '--short=12', 'HEAD');
    const { images, events } = await publish();
    expect(images).toHaveLength(1);
    first = images[0]!;
    expect(first).toMatchObject({
      service: 'api',
      repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}`,
      tag: commit.trim(),
      pushed: true,
    });
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The registry holds exactly the manifest whose digest publish reported.
    const manifest = await registry.manifest(REPOSITORY, first.tag);
    const { createHash } = await import('node:crypto');
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(first.digest);
    expect(events.map((e) => e.code)).toEqual(
      expect.arrayContaining([
        'aws.publish.login',
        'aws.publish.build',
        'aws.publish.push',
        'aws.publish.pushed',
      ]),
    );
    await recordInEcr(first);
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: first.tag }] }),
    );
    expect(described.imageDetails?.[0]?.imageDigest).toBe(first.digest);
  }, 120_000);

  it('pushes nothing when the tag is already there with the same image', async () => {
    const { images, events } = await publish();
    expect(images).toEqual([{ ...first, pushed: false }]);
    expect(events.map((e) => e.code)).toContain('aws.publish.skip');
    expect(events.map((e) => e.code)).not.toContain('aws.publish.push');
  }, 120_000);

  it('tags an uncommitted change <commit>-dirty, and refuses another image under that tag', async () => {
    writeFileSync(path.join(work, 'api/hello.txt'), 'two\n');
    const version = await sourceVersion(work);
    expect(version.tag).toBe(`${first.tag}-dirty`);
    const { images } = await publish();
    expect(images[0]).toMatchObject({ tag: `${first.tag}-dirty`, pushed: true });
    expect(images[0]!.digest).not.toBe(first.digest);
    await recordInEcr(images[0]!);

    writeFileSync(path.join(work, 'api/hello.txt'), 'three\n');
    const error = await publish().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect((error as Error).message).toBe(
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}:${first.tag}-dirty already holds another image (${images[0]!.digest}) and ECR tags are immutable; commit your changes (a new commit is a new tag) and publish again`,
    );
  }, 180_000);

  it('names the missing repository and how to create it', async () => {
    const other = parseConfig({ ...appConfigRaw(), app: 'nowhere' }, path.join(work, 'berth.config.ts'));
    const events: AwsEvent[] = [];
    const error = await publishImages({ config: other, notify: (e) => events.push(e) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      'ECR repository nowhere/api does not exist in 123456789012/us-east-1; deploy the registry stack first (berth deploy creates it)',
    );
    // Checked before anything is built.
    expect(events.map((e) => e.code)).not.toContain('aws.publish.build');
  }, 120_000);
});

describe('a build FROM a base in the private mirror (berth mirror copies bases into ECR)', () => {
  it('logs in to ECR itself and pulls the base, with no login of the engine to lean on', async () => {
    // The base: one file and a label, mirrored into <app>/base on the ECR stand-in as berth mirror does.
    const baseDir = path.join(work, 'base');
    mkdirSync(baseDir);
    writeFileSync(
      path.join(baseDir, 'Containerfile'),
      `FROM scratch\nLABEL ${TEST_LABEL}\nLABEL dev.berth.test.base=mirrored\nCOPY base.txt /base.txt\n`,
    );
    writeFileSync(path.join(baseDir, 'base.txt'), 'base\n');
    const localBase = `localhost/shop-test-base:${process.pid}`;
    await run('podman', ['build', '--format', 'docker', '--tag', localBase, baseDir]);
    localImages.add(localBase);
    const mirrored = await mirrorImage(`containers-storage:${localBase}`, { to: `${ECR_HOST}/shop/base` });
    expect(mirrored.ref).toMatch(new RegExp(`^${ECR_HOST}/shop/base@sha256:[0-9a-f]{64}$`));

    // No stored login anywhere podman looks: the pull works only with the login berth brings.
    const emptyAuth = path.join(work, 'no-logins.json');
    writeFileSync(emptyAuth, '{"auths":{}}');
    process.env.REGISTRY_AUTH_FILE = emptyAuth;
    const webDir = path.join(work, 'web');
    mkdirSync(webDir);
    writeFileSync(
      path.join(webDir, 'Containerfile'),
      `ARG BASE_IMAGE\nFROM $BASE_IMAGE\nLABEL ${TEST_LABEL}\nCOPY web.txt /web.txt\n`,
    );
    writeFileSync(path.join(webDir, 'web.txt'), 'web\n');
    const raw = appConfigRaw();
    raw.services = {
      web: {
        image: { context: './web', args: { BASE_IMAGE: mirrored.ref } },
        port: 8080,
        healthCheck: { path: '/health' },
        route: { host: '@' },
      },
    };
    const events: ImageEvent[] = [];
    try {
      const [built] = await buildImages(parseConfig(raw, path.join(work, 'berth.config.ts')), {
        tag: `mirror-${process.pid}`,
        notify: (e) => events.push(e),
      });
      localImages.add(built!.ref);

      expect(events.filter((e) => e.code === 'build.login').map((e) => e.data?.registry)).toEqual([ECR_HOST]);
      const { stdout } = await run('podman', [
        'image',
        'inspect',
        '--format',
        '{{index .Labels "dev.berth.test.base"}}',
        built!.ref,
      ]);
      expect(stdout.trim()).toBe('mirrored');
      // The login was podman's own (into the file it keeps logins in, here the test's), and berth
      // undid it after the build: no 12-hour ECR token is left behind.
      expect(JSON.parse(readFileSync(emptyAuth, 'utf8')).auths ?? {}).not.toHaveProperty([ECR_HOST]);

      // A login podman held already stays (refreshed): berth undoes only its own.
      await run('podman', ['login', '--username', ECR_USER, '--password-stdin', ECR_HOST], {
        input: ECR_PASSWORD,
      });
      const [kept] = await buildImages(parseConfig(raw, path.join(work, 'berth.config.ts')), {
        tag: `mirror-kept-${process.pid}`,
      });
      localImages.add(kept!.ref);
      expect(JSON.parse(readFileSync(emptyAuth, 'utf8')).auths).toHaveProperty([ECR_HOST]);

      // Without AWS credentials the login fails; that is a warning, and the base pulled above still builds.
      const offline: ImageEvent[] = [];
      const [again] = await buildImages(parseConfig(raw, path.join(work, 'berth.config.ts')), {
        tag: `mirror-offline-${process.pid}`,
        ecrCredentials: async () => {
          throw new BerthError('no AWS credentials found');
        },
        notify: (e) => offline.push(e),
      });
      localImages.add(again!.ref);
      expect(offline.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
        `could not log in to ${ECR_HOST} (no AWS credentials found); building anyway, which works if the bases are pulled already or podman is logged in`,
      ]);
    } finally {
      delete process.env.REGISTRY_AUTH_FILE;
    }
  });
});

function appConfigRaw(): BerthConfig {
  return {
    app: 'shop',
    env: { account: '123456789012', region: 'us-east-1' },
    domain: 'shop.example.com',
    hostedZone: { id: 'Z0123456789SHOP', name: 'shop.example.com' },
    services: {
      api: {
        image: { context: './api', file: 'Containerfile' },
        port: 4567,
        healthCheck: { path: '/health' },
        route: { host: '@' },
      },
    },
  };
}

describe('sourceVersion', () => {
  it('has no tag outside git (publish then tags by image id)', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'berth-nogit-'));
    try {
      expect(await sourceVersion(outside)).toEqual({});
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
