import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalBaseImages, startLocalRegistry, type LocalRegistry } from '../../src/images/index.ts';
import { hostArchitecture } from '../../src/images/platform.ts';
import { initProject } from '../../src/init/index.ts';
import { freePort } from '../../src/shared/net.ts';
import { runBerth } from '../support/berth-cli.ts';
import { json, project } from './helpers.ts';

const run = promisify(execFile);
const TAG = `init-${process.pid}`;
const IMAGE = `localhost/hardened/api:${TAG}`;

let dir: string;
let registry: LocalRegistry | undefined;
let bases: { build: string; runtime: string };
let container: string | undefined;

beforeAll(async () => {
  dir = project({
    'api/package.json': json({ name: 'api', type: 'module', scripts: { start: 'node server.js' } }),
    'api/server.js': `import { createServer } from 'node:http';
const server = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end('ok'));
server.listen(Number(process.env.PORT ?? 4000));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  });
  await initProject({ dir, app: 'hardened' });
  // The bases made below are for this machine's architecture (arm64, the default, needs its own
  // bases and emulation: test/images/multi-arch.test.ts), so the service is built for it.
  const config = path.join(dir, 'berth.config.ts');
  const image = "image: { context: './api', file: 'Containerfile' },";
  const written = readFileSync(config, 'utf8');
  expect(written).toContain(image);
  writeFileSync(config, written.replace(image, `${image}\n      architecture: '${hostArchitecture()}',`));
  // The public bases are not reachable here: bases made from this machine's Node.js, by digest.
  registry = await startLocalRegistry();
  bases = await makeLocalBaseImages({ registry: registry.address });
}, 300_000);

afterAll(async () => {
  if (container) await run('podman', ['rm', '--force', container]).catch(() => {});
  for (const image of [IMAGE, bases?.build, bases?.runtime])
    if (image) await run('podman', ['rmi', image]).catch(() => {});
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the Containerfile berth init offers a Node.js service', () => {
  it('builds, passes every image check, and runs read-only as non-root with a healthy exec-form health check', async () => {
    const build = await runBerth(
      ['build', '--base-image', bases.runtime, '--build-image', bases.build, '--tag', TAG],
      {
        cwd: dir,
        timeoutMs: 240_000,
      },
    );
    expect(build.code, build.stderr).toBe(0);

    const check = await runBerth(['check', '--images', '--tag', TAG], { cwd: dir, timeoutMs: 120_000 });
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const port = await freePort();
    const started = await run('podman', [
      'run',
      '--detach',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop',
      'ALL',
      '--publish',
      `127.0.0.1:${port}:4000`,
      IMAGE,
    ]);
    container = started.stdout.trim();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const user = await run('podman', ['inspect', container, '--format', '{{.Config.User}}']);
    expect(user.stdout.trim()).toBe('1000:1000');
    // The HEALTHCHECK runs node in the container, without a shell (the image has none).
    const health = await run('podman', ['healthcheck', 'run', container]).then(
      () => 0,
      (e: { code?: number }) => e.code ?? 1,
    );
    expect(health).toBe(0);
    const shell = await run('podman', ['exec', container, 'sh', '-c', 'true']).then(
      () => 0,
      () => 1,
    );
    expect(shell).toBe(1);
  }, 420_000);
});
