import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/shared/net.ts';
import {
  buildImages,
  checkImages,
  imageTargets,
  makeLocalBaseImages,
  makeLocalNginxBaseImages,
  mirrorImage,
  startLocalRegistry,
  type BaseImageChoice,
  type BaseImages,
  type BuiltImage,
  type CheckImagesResult,
  type LocalRegistry,
  type NginxBaseImages,
} from '../../src/images/index.ts';
import { hostArchitecture } from '../../src/images/platform.ts';
import { run } from '../../src/images/run.ts';
import { cruddur } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

// The whole flow on this machine, as CI runs it: base images made from this machine's Node.js
// (backend) and Debian's nginx and gcc (frontend), pushed to a real registry, mirrored by digest
// into <app>/base, both cruddur images built FROM the mirror, run hardened, checked, and negative
// images that must fail the checks.

const ROOT = path.resolve(import.meta.dirname, '../..');
const TAG = `test-${process.pid}`;
// This machine's architecture for every service: the bases here are made for it (the arm64 and
// multi-platform flow, under emulation, is test/images/multi-arch.test.ts).
const config = cruddur((c) => {
  for (const service of Object.values(c.services)) service.architecture = hostArchitecture();
  return c;
});
const work = mkdtempSync(path.join(os.tmpdir(), 'berth-images-test-'));

let registry: LocalRegistry | undefined;
let bases: BaseImages;
let nginxBases: NginxBaseImages;
let mirrored: Required<BaseImageChoice>;
let runtimeMirrorStdout: string;
let built: BuiltImage[] = [];
const containers: string[] = [];
const images: string[] = [];

const cli = (args: readonly string[], timeoutMs?: number) => runBerth(args, { cwd: ROOT, timeoutMs });

const ref = (service: string) => built.find((b) => b.service === service)!.ref;

beforeAll(async () => {
  // CI installs podman (.ci/setup-podman.sh); a machine without it fails here, loudly, never skips.
  await run('podman', ['--version']).catch((error: Error) => {
    throw new Error(`podman is required for the image tests: ${error.message}`);
  });
  // npm run build (npm test runs it first) makes the bundles; rewriting them here would race
  // other tests that build the same contexts.
  for (const file of [
    'backend/bundle/dist/server.js',
    'frontend/dist-nginx/nginx.conf',
    'frontend/dist-packages/package-lock.json',
    'frontend/dist/index.html',
  ])
    if (!existsSync(path.join(ROOT, 'examples/cruddur', file)))
      throw new Error(`examples/cruddur/${file} is missing; run npm run build (npm test does it first)`);

  registry = await startLocalRegistry();
  bases = await makeLocalBaseImages({ registry: registry.address });
  const baseRepo = `${registry.address}/cruddur/base`;
  const viaCli = await cli(['mirror', bases.runtime, '--to', baseRepo], 280_000);
  expect(viaCli.stderr).not.toMatch(/error/i);
  expect(viaCli.code).toBe(0);
  runtimeMirrorStdout = viaCli.stdout;
  nginxBases = await makeLocalNginxBaseImages({ registry: registry.address });
  const mirror = async (ref: string) => (await mirrorImage(ref, { to: baseRepo })).ref;
  mirrored = {
    runtime: viaCli.stdout.trim(),
    build: await mirror(bases.build),
    // The frontend is served by nginx: its own bases, a C toolchain for the health check and nginx.
    services: {
      frontend: { build: await mirror(nginxBases.build), runtime: await mirror(nginxBases.runtime) },
    },
  };
  const frontendBases = mirrored.services.frontend!;
  images.push(bases.build, bases.runtime, nginxBases.build, nginxBases.runtime);
  images.push(mirrored.build, mirrored.runtime, frontendBases.build!, frontendBases.runtime!);
  built = await buildImages(config, { tag: TAG, baseImages: mirrored, cache: false });
  images.push(...built.map((b) => b.ref));
}, 300_000);

afterAll(async () => {
  if (containers.length > 0) await run('podman', ['rm', '--force', ...containers]).catch(() => {});
  for (const image of images) await run('podman', ['rmi', image]).catch(() => {});
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('base image mirror', () => {
  it('copies each base into <app>/base by digest and prints the pinned reference', () => {
    const digest = (r: string) => r.slice(r.indexOf('@') + 1);
    expect(runtimeMirrorStdout).toBe(`${registry!.address}/cruddur/base@${digest(bases.runtime)}\n`);
    expect(digest(mirrored.build)).toBe(digest(bases.build));
    expect(mirrored.build).toMatch(/\/cruddur\/base@sha256:[a-f0-9]{64}$/);
  });

  it('builds both images FROM the mirror, each from its own bases, recorded in their labels', async () => {
    expect(built.map((b) => b.service)).toEqual(['backend', 'frontend']);
    const expected: Record<string, { build?: string; runtime?: string }> = {
      backend: mirrored,
      frontend: mirrored.services.frontend!,
    };
    for (const image of built) {
      const { stdout } = await run('podman', ['image', 'inspect', image.ref, '--format', '{{json .Labels}}']);
      const labels = JSON.parse(stdout) as Record<string, string>;
      expect(labels['org.opencontainers.image.base.name']).toBe(expected[image.service]!.runtime);
      expect(labels['dev.berth.build-image']).toBe(expected[image.service]!.build);
      expect(labels['org.opencontainers.image.base.name']).toMatch(/\/cruddur\/base@sha256:[a-f0-9]{64}$/);
      expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
      expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });
});

describe.each([
  {
    service: 'backend',
    port: 4567,
    path: '/api/health-check',
    type: /application\/json/,
    body: '{"success":true}',
  },
  { service: 'frontend', port: 3000, path: '/', type: /text\/html/, body: '<div id="root">' },
])('$service container', ({ service, port, path: urlPath, type, body }) => {
  it('runs read-only as 1000:1000 with no capabilities, turns healthy, answers, and exits 0 on SIGTERM within 10 s', async () => {
    const name = `berth-images-test-${service}-${process.pid}`;
    const hostPort = await freePort();
    containers.push(name);
    await run('podman', [
      'run',
      '--detach',
      '--name',
      name,
      '--read-only',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--tmpfs',
      '/tmp',
      '--publish',
      `127.0.0.1:${hostPort}:${port}`,
      ref(service),
    ]);

    // Without systemd podman runs no health-check timer; run the image's HEALTHCHECK on demand.
    const deadline = Date.now() + 30_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      healthy = await run('podman', ['healthcheck', 'run', name]).then(
        () => true,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 500));
    }
    expect(healthy).toBe(true);
    const state = await run('podman', ['inspect', name, '--format', '{{.State.Healthcheck.Status}}']);
    expect(state.stdout.trim()).toBe('healthy');

    const response = await fetch(`http://127.0.0.1:${hostPort}${urlPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(await response.text()).toContain(body);

    const started = Date.now();
    await run('podman', ['stop', '--time', '10', name]);
    const stoppedMs = Date.now() - started;
    const exit = await run('podman', ['inspect', name, '--format', '{{.State.ExitCode}}']);
    expect(exit.stdout.trim()).toBe('0');
    expect(stoppedMs).toBeLessThan(10_000);
  });
});

describe('berth check --images', () => {
  let result: CheckImagesResult;
  beforeAll(async () => {
    result = await checkImages(config, { tag: TAG, outDir: path.join(work, 'sbom') });
  }, 120_000);

  it('passes both images: every error-level rule is compliant', () => {
    for (const image of result.images) {
      // Not applicable is not failing: the frontend has no Node.js whose end of life to check.
      const failing = image.results.filter(
        (r) => r.level === 'error' && r.status !== 'compliant' && r.status !== 'not-applicable',
      );
      expect(failing, image.service).toEqual([]);
    }
    expect(result.passed).toBe(true);
  });

  it('keeps both images within their budgets (backend 50 MB, frontend 25 MB compressed)', () => {
    const [backend, frontend] = result.images;
    expect(backend).toMatchObject({ service: 'backend', budgetBytes: 50_000_000 });
    expect(frontend).toMatchObject({ service: 'frontend', budgetBytes: 25_000_000 });
    for (const image of result.images) {
      expect(image.uncompressedBytes).toBeGreaterThan(image.compressedBytes);
      expect(image.compressedBytes).toBeLessThanOrEqual(image.budgetBytes!);
      expect(image.results.find((r) => r.rule === 'ImageSizeBudget')).toMatchObject({
        level: 'error',
        status: 'compliant',
      });
    }
    // Node.js 24 (full ICU) is most of the backend; the frontend has no Node.js at all.
    expect(backend!.compressedBytes).toBeGreaterThan(25_000_000);
    expect(frontend!.compressedBytes).toBeLessThan(10_000_000);
  });

  it('fails the frontend when services.frontend.port is not the 3000 its nginx listens on, naming both ports', async () => {
    const moved = cruddur((c) => ({
      ...c,
      services: {
        ...c.services,
        frontend: { ...c.services.frontend!, port: 8080, architecture: hostArchitecture() },
      },
    }));
    const frontendOnly = imageTargets(moved, { tag: TAG }).filter((t) => t.service === 'frontend');
    const { images: checked, passed } = await checkImages(moved, {
      targets: frontendOnly,
      outDir: path.join(work, 'port-sbom'),
    });
    expect(passed).toBe(false);
    expect(checked[0]!.results.find((r) => r.status !== 'compliant')).toMatchObject({
      rule: 'ImageExposesPort',
      level: 'error',
      problems: [
        {
          message:
            'services.frontend.port is 8080, but the image EXPOSEs 3000, the port its server listens on: the load balancer and health checks would probe 8080, where nothing listens',
        },
      ],
    });
    expect(checked[0]!.results.filter((r) => r.status === 'non-compliant')).toHaveLength(1);
  }, 60_000);

  it('writes a CycloneDX 1.5 SBOM per image, named by the image id, with its Debian and npm packages', () => {
    const expected = {
      backend: { purls: ['pkg:npm/fastify@', 'pkg:deb/debian/libc6@'], file: '/nodejs/bin/node' },
      frontend: {
        purls: [
          'pkg:deb/debian/nginx@',
          'pkg:deb/debian/libnginx-mod-http-js@',
          'pkg:deb/debian/libc6@',
          // bundled into dist/assets; named by the lockfile the vite build writes
          'pkg:npm/react@',
          'pkg:npm/react-dom@',
        ],
        file: '/usr/sbin/nginx',
      },
    } as const;
    for (const image of result.images) {
      expect(image.sbomFile).toBe(path.join(work, 'sbom', image.service, `${image.id.slice(7)}.cdx.json`));
      const bom = JSON.parse(readFileSync(image.sbomFile, 'utf8')) as {
        specVersion: string;
        components: { purl?: string; name: string }[];
      };
      expect(bom.specVersion).toBe('1.5');
      const purls = bom.components.map((c) => c.purl ?? '');
      const { purls: wanted, file } = expected[image.service as keyof typeof expected];
      for (const prefix of wanted)
        expect(
          purls.some((p) => p.startsWith(prefix)),
          prefix,
        ).toBe(true);
      expect(bom.components.map((c) => c.name)).toContain(file);
    }
  });
});

describe('negative images', () => {
  const negative = {
    curl: 'COPY curl /usr/bin/curl',
    root: 'USER 0',
    shell: 'COPY sh /bin/sh',
  } as const;
  const negativeRef = (name: string) => `localhost/negative/${name}:${TAG}`;
  let result: CheckImagesResult;

  beforeAll(async () => {
    const context = path.join(work, 'negative');
    for (const [name, line] of Object.entries(negative)) {
      const dir = path.join(context, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'curl'), '#!/bin/false\n', { mode: 0o755 });
      writeFileSync(path.join(dir, 'sh'), '#!/bin/false\n', { mode: 0o755 });
      writeFileSync(path.join(dir, 'Containerfile'), `FROM ${ref('backend')}\n${line}\n`);
      await run('podman', [
        'build',
        '--quiet',
        '--format',
        'docker',
        '--layers=false',
        '--tag',
        negativeRef(name),
        dir,
      ]);
      images.push(negativeRef(name));
    }
    result = await checkImages(config, {
      outDir: path.join(work, 'negative-sbom'),
      targets: Object.keys(negative).map((name) => ({
        service: name,
        ref: negativeRef(name),
        store: 'podman' as const,
        context: { port: 4567 },
      })),
    });
  }, 180_000);

  const failures = (service: string) =>
    result.images
      .find((i) => i.service === service)!
      .results.filter((r) => r.status === 'non-compliant')
      .map((r) => ({ rule: r.rule, problems: r.problems }));

  it('curl added: fails ImageNoDownloadTool naming /usr/bin/curl', () => {
    expect(failures('curl')).toEqual([
      {
        rule: 'ImageNoDownloadTool',
        problems: [{ path: '/usr/bin/curl', message: 'download tool /usr/bin/curl (file)' }],
      },
    ]);
  });

  it('USER 0: fails ImageNonRootUser', () => {
    expect(failures('root')).toEqual([
      { rule: 'ImageNonRootUser', problems: [{ message: 'USER 0 is root' }] },
    ]);
  });

  it('a shell added: fails ImageNoShell naming /bin/sh', () => {
    expect(failures('shell')).toEqual([
      { rule: 'ImageNoShell', problems: [{ path: '/bin/sh', message: 'shell /bin/sh (file)' }] },
    ]);
    expect(result.passed).toBe(false);
  });

  it('the CLI exits 1 and names each problem', async () => {
    const file = path.join(work, 'negative', 'berth.config.json');
    // Each service's own build folder, with the Containerfile its image was built from above.
    const service = (name: string) => ({
      image: { context: name },
      port: 4567,
      healthCheck: { path: '/api/health-check' },
      architecture: hostArchitecture(),
    });
    writeFileSync(
      file,
      JSON.stringify({
        app: 'negative',
        env: { account: '123456789012', region: 'us-east-1' },
        domain: 'negative.example.com',
        hostedZone: { id: 'Z0123456789NEGATIVE', name: 'negative.example.com' },
        services: { curl: service('curl'), root: service('root'), shell: service('shell') },
      }),
    );
    const { code, stdout } = await cli(['check', '--images', '--config', file, '--tag', TAG], 110_000);
    expect(stdout).toContain('/usr/bin/curl');
    expect(stdout).toContain('USER 0 is root');
    expect(stdout).toContain('shell /bin/sh');
    expect(stdout).toContain(
      '3 failing rules: curl:ImageNoDownloadTool, root:ImageNonRootUser, shell:ImageNoShell.',
    );
    expect(code).toBe(1);
  }, 120_000);

  it('the CLI names a missing image in one line and exits 1', async () => {
    const { code, stderr } = await cli([
      'check',
      '--images',
      '--tag',
      'no-such-tag',
      '--config',
      'examples/cruddur/berth.config.ts',
    ]);
    expect(stderr).toMatch(
      /^berth: image localhost\/cruddur\/backend:no-such-tag is not in podman's storage; build it first \(berth build\)\n$/m,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
  });
});
