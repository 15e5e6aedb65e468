import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalBaseImages, makeLocalNginxBaseImages } from '../../src/images/base-images.ts';
import { startLocalRegistry, type LocalRegistry } from '../../src/images/local-registry.ts';
import type { BaseImageChoice } from '../../src/images/build.ts';
import { up, type LocalRun, type LocalStatus } from '../../src/local/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { edgeContract } from './edge-contract.ts';
import { cleanup, cruddurConfig, hasCommand, recorder, tempDir, until } from './helpers.ts';
import { restartUnderLoad, wrkDuring } from './wrk.ts';

// CI installs these (.ci/setup-podman.sh); a machine without them fails here rather than skipping.
const missing = ['podman', 'docker-registry', 'skopeo'].filter((tool) => !hasCommand(tool));

function podman(args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', timeout: 60_000 });
}

function containers(runId: string): string[] {
  return podman(['ps', '--all', '--format', '{{.Names}}', '--filter', `label=berth.run=${runId}`])
    .split('\n')
    .filter(Boolean);
}

// The same topology in containers: images built from the Containerfiles on bases made from this
// machine's Node.js (backend) and Debian's nginx and gcc (frontend), as no public registry is
// reachable, run with Fargate's hardening. Built once.
describe('berth up --engine podman: the same edge, in hardened containers', () => {
  it('has podman, skopeo and docker-registry installed (sh .ci/setup-podman.sh)', () => {
    expect(missing).toEqual([]);
  });

  const dir = tempDir('podman');
  let registry: LocalRegistry | undefined;
  let run: LocalRun;
  let status: LocalStatus;
  let baseImages: BaseImageChoice;

  beforeAll(async () => {
    registry = await startLocalRegistry();
    const bases = await makeLocalBaseImages({ registry: registry.address });
    const nginx = await makeLocalNginxBaseImages({ registry: registry.address });
    baseImages = {
      build: bases.build,
      runtime: bases.runtime,
      services: { frontend: { build: nginx.build, runtime: nginx.runtime } },
    };
    // The backend declares a call to the frontend (the reference declares none), so that one run
    // shows a declared call going through and an undeclared one finding no such host.
    const config = await cruddurConfig(dir);
    run = await up(
      {
        ...config,
        services: config.services.map((s) => (s.id === 'backend' ? { ...s, calls: ['frontend'] } : s)),
      },
      {
        engine: 'podman',
        baseImages,
        httpPort: 0,
        httpsPort: 0,
      },
    );
    status = run.status();
  }, 300_000);

  afterAll(async () => {
    const runId = run?.runId;
    await run?.stop();
    await registry?.stop();
    if (runId) {
      const left = containers(runId);
      if (left.length) spawnSync('podman', ['rm', '--force', ...left]);
    }
    cleanup(dir);
  });

  edgeContract(() => status);

  const container = (service: string) => status.services.find((s) => s.id === service)!.tasks[0]!.container!;

  it('runs each task with the hardening of the Fargate task definition', () => {
    const [info] = JSON.parse(podman(['inspect', container('backend')])) as {
      Config: { User: string; Healthcheck?: { Test: string[] } };
      HostConfig: {
        ReadonlyRootfs: boolean;
        CapDrop: string[];
        CapAdd: string[] | null;
        SecurityOpt: string[];
        NanoCpus: number;
        Memory: number;
        Tmpfs: Record<string, string>;
        Privileged: boolean;
      };
      EffectiveCaps: string[] | null;
    }[];
    expect(info!.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info!.Config.User).toBe('1000:1000');
    expect(info!.EffectiveCaps ?? []).toEqual([]);
    expect(info!.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(info!.HostConfig.Privileged).toBe(false);
    expect(info!.HostConfig.NanoCpus).toBe(0.25e9); // 256 CPU units
    expect(info!.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(Object.keys(info!.HostConfig.Tmpfs)).toEqual(['/tmp']);
    expect(info!.Config.Healthcheck?.Test).toEqual(['CMD', 'node', 'dist/healthcheck.js']);
  });

  it('serves the frontend with nginx, checked by its static health-check program', () => {
    const [info] = JSON.parse(podman(['inspect', container('frontend')])) as {
      Config: { User: string; Cmd: string[]; Healthcheck?: { Test: string[] } };
      HostConfig: { ReadonlyRootfs: boolean };
    }[];
    expect(info!.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info!.Config.User).toBe('1000:1000');
    expect(info!.Config.Cmd[0]).toBe('nginx');
    expect(info!.Config.Healthcheck?.Test).toEqual(['CMD', '/app/healthcheck']);
  });

  it('runs the image berth build makes: same tag, with the OCI labels', () => {
    const [info] = JSON.parse(podman(['inspect', container('backend')])) as { ImageName: string }[];
    expect(info!.ImageName).toBe('localhost/cruddur/backend:latest');
    const labels = JSON.parse(
      podman(['image', 'inspect', '--format', '{{json .Labels}}', info!.ImageName]),
    ) as Record<string, string>;
    expect(labels).toHaveProperty('org.opencontainers.image.revision');
    expect(labels).toHaveProperty('org.opencontainers.image.created');
  });

  it("runs the image's own health check", () => {
    for (const service of ['backend', 'frontend']) {
      const r = spawnSync('podman', ['healthcheck', 'run', container(service)], { encoding: 'utf8' });
      expect(r.status, `${service}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('lets containers reach each other by service name and port, like Service Connect', () => {
    // From the backend, which has node to make the request (the nginx image has no client at all).
    const script =
      'const get = (u) => fetch(u).then(r => r.text()).then(t => console.log(u, t)); ' +
      'get(process.env.SERVICE_FRONTEND_URL + "/config.json").then(() => get(process.env.SERVICE_BACKEND_URL + "/api/health-check"))';
    const out = podman(['exec', container('backend'), 'node', '-e', script]);
    expect(out.trim().split('\n')).toEqual([
      'http://frontend:3000/config.json {"backendUrl":null}',
      'http://backend:4567/api/health-check {"success":true}',
    ]);
  });

  it('refuses an undeclared call as a security group would: the caller is not on the callee network', () => {
    const networks = (service: string) =>
      JSON.parse(
        podman(['inspect', container(service), '--format', '{{json .NetworkSettings.Networks}}']),
      ) as Record<string, { Aliases: string[] | null }>;
    const run8 = run.runId.slice(0, 8);
    const frontendNet = `berth-cruddur-${run8}-frontend`;
    const backendNet = `berth-cruddur-${run8}-backend`;
    // Each answers to its name on its own network; the backend, which declares the call, also sits
    // on the frontend's network, without a name there.
    expect(Object.keys(networks('frontend'))).toEqual([frontendNet]);
    expect(networks('frontend')[frontendNet]!.Aliases).toContain('frontend');
    expect(Object.keys(networks('backend')).sort()).toEqual([backendNet, frontendNet]);
    expect(networks('backend')[frontendNet]!.Aliases).not.toContain('backend');
    // What the frontend's own code would get calling the backend, from a container on its network
    // alone (its nginx image has no client to ask with): no such host.
    const image = podman(['inspect', container('backend'), '--format', '{{.ImageName}}']).trim();
    const probe = spawnSync(
      'podman',
      [
        'run',
        '--rm',
        '--network',
        frontendNet,
        '--entrypoint',
        'node',
        image,
        '-e',
        'fetch("http://backend:4567/api/health-check").then(() => console.log("reached"), (e) => console.log(e.cause?.code))',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(probe.stdout.trim()).toBe('ENOTFOUND');
  });

  it('restarts the backend container by container under load with no failed request', async () => {
    const { restartMs, coveredByLoad, result } = await restartUnderLoad(status.edge.https, () =>
      run.restart('backend'),
    );
    status = run.status();
    console.log(
      `podman rolling restart took ${restartMs} ms; wrk sent ${result.requests} requests, ` +
        `non-2xx ${result.non2xx}, socket errors ${JSON.stringify(result.socketErrors)}`,
    );
    expect(coveredByLoad).toBe(true);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.non2xx).toBe(0);
    expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });

  it('releases the backend blue-green at the edge under load: green containers verified, then all traffic, no failed request', async () => {
    const { events, notify } = recorder();
    const unsubscribe = run.subscribe(notify);
    const before = status.services.find((s) => s.id === 'backend')!.tasks.map((t) => t.id);
    const https = new URL(status.edge.https).port;
    const { outcome, coveredByLoad, result } = await wrkDuring(
      `https://127.0.0.1:${https}/api/health-check`,
      { host: `api.cruddur.localhost:${https}` },
      () => run.restart('backend', { strategy: 'blue-green', bakeSeconds: 1 }),
    ).finally(unsubscribe);
    status = run.status();
    console.log(
      `podman blue-green release: wrk sent ${result.requests} requests, ` +
        `non-2xx ${result.non2xx}, socket errors ${JSON.stringify(result.socketErrors)}`,
    );
    expect(outcome.status, String((outcome as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(coveredByLoad).toBe(true);
    expect(events.filter((e) => e.code.startsWith('release.')).map((e) => e.code)).toEqual([
      'release.start',
      'release.test-traffic',
      'release.shift',
      'release.bake',
      'release.done',
    ]);
    const after = status.services.find((s) => s.id === 'backend')!.tasks;
    expect(after.map((t) => t.health)).toEqual(['healthy']);
    expect(after.some((t) => before.includes(t.id))).toBe(false);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.non2xx).toBe(0);
    expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });

  it('refuses to start a service whose config port is not the port its image EXPOSEs, naming both', async () => {
    const moved = tempDir('podman-port');
    try {
      const config = await cruddurConfig(moved);
      const wrongPort = {
        ...config,
        services: config.services.map((s) => (s.id === 'frontend' ? { ...s, port: 8080 } : s)),
      };
      const failed = up(wrongPort, { engine: 'podman', baseImages, httpPort: 0, httpsPort: 0 });
      await expect(failed).rejects.toThrow(UsageError);
      await expect(failed).rejects.toThrow(
        /^services\.frontend\.port is 8080, but the image EXPOSEs 3000, the port its server listens on/,
      );
    } finally {
      cleanup(moved);
    }
  });

  it('stops a container that fails its own health check unhealthyThreshold times, and ECS-style replaces it', async () => {
    // A backend that hangs: its process is stopped (SIGSTOP), so the image's HEALTHCHECK times out.
    const hungDir = tempDir('podman-unhealthy');
    const { events, notify } = recorder();
    let hung: LocalRun | undefined;
    try {
      const config = await cruddurConfig(hungDir);
      const fast = {
        ...config,
        services: config.services.map((s) =>
          s.id === 'backend'
            ? {
                ...s,
                shutdownSeconds: 2,
                healthCheck: { ...s.healthCheck, interval: 2, timeout: 1, unhealthyThreshold: 2 },
              }
            : s,
        ),
      };
      hung = await up(fast, { engine: 'podman', baseImages, httpPort: 0, httpsPort: 0, notify });
      const backend = () => hung!.status().services.find((s) => s.id === 'backend')!.tasks;
      const [first] = backend();
      const pid = Number(podman(['inspect', '--format', '{{.State.Pid}}', first!.container!]).trim());
      process.kill(pid, 'SIGSTOP');
      await until(
        () => backend().some((t) => t.id !== first!.id && t.health === 'healthy'),
        120_000,
        'a healthy replacement task',
      );
      expect(events.map((e) => `${e.code} ${e.message}`)).toContainEqual(
        expect.stringMatching(new RegExp(`^task\\.exited ${first!.id} exited`)),
      );
      // Stopped, not removed: like an ECS stopped task it stays for a post-mortem until the run ends.
      expect(podman(['inspect', '--format', '{{.State.Status}}', first!.container!]).trim()).toBe('exited');
      // Stopped after exactly unhealthyThreshold (2) failed checks in a row: not at the first.
      const ofFirst = events
        .map((e) => `${e.code} ${e.message}`)
        .filter((line) => line.includes(`${first!.id}`) && /^task\.(check-failed|exited) /.test(line));
      expect(ofFirst.slice(0, 3)).toEqual([
        `task.check-failed ${first!.id}: its container health check failed (1 of 2 in a row)`,
        `task.check-failed ${first!.id}: its container health check failed (2 of 2 in a row)`,
        expect.stringMatching(new RegExp(`^task\\.exited ${first!.id} exited`)),
      ]);
    } finally {
      await hung?.stop();
      cleanup(hungDir);
    }
  }, 180_000);

  it('stops everything and leaves no container or network behind', async () => {
    const runId = run.runId;
    expect(containers(runId)).toHaveLength(2);
    await run.stop();
    expect(containers(runId)).toEqual([]);
    expect(podman(['network', 'ls', '--format', '{{.Name}}'])).not.toContain(runId.slice(0, 8));
  });
});
