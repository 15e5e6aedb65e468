import { mkdirSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, CRUDDUR_CONFIG, PORT_FLAGS, tempDir, writeFlipConfig } from './helpers.ts';
import { runBerth } from '../support/berth-cli.ts';
import { cruddur } from '../fixtures.ts';
import { checkUpOptions } from '../../src/local/index.ts';
import { closeServer, listen } from '../../src/shared/net.ts';

/** The first line of what berth printed: the message a user acts on. */
const firstLine = (stderr: string) => stderr.split('\n')[0];

// --detach too: the background supervisor must not be the first to see the typo (it would exit 1).
const MODES = [
  { mode: 'foreground', extra: [] as string[] },
  { mode: 'detached', extra: ['--detach'] },
];

describe('berth up: a bad flag value is a usage error (exit 2) with one line naming the flag', () => {
  it.each([
    [
      ['--scale', 'backend'],
      /option '-s, --scale <service=count>' argument 'backend' is invalid\. write SERVICE=COUNT/,
    ],
    [
      ['--scale', 'backend=21'],
      /--scale <service=count>' argument 'backend=21' is invalid\. the count must be 0\.\.20/,
    ],
    [
      ['--scale', 'backend=2', '--scale', 'backend=3'],
      /--scale <service=count>' argument 'backend=3' is invalid\. backend is given twice \(2, then 3\): give each service once/,
    ],
    [
      ['--build-arg', 'NOVALUE'],
      /--build-arg <name=value>' argument 'NOVALUE' is invalid\. write NAME=VALUE/,
    ],
    [
      ['--base-image', 'Front End=x'],
      /--base-image <\[service=\]ref>' argument 'Front End=x' is invalid\. 'Front End' is not a service id/,
    ],
    [
      ['--http-port', '70000'],
      /--http-port <port>' argument '70000' is invalid\. use a port number 0\.\.65535/,
    ],
    [
      ['--health-interval', '5'],
      /--health-interval <ms>' argument '5' is invalid\. use an integer of at least 10/,
    ],
  ])('%j', async (flags, message) => {
    const r = await runBerth(['up', '--config', CRUDDUR_CONFIG, ...flags]);
    expect(r.code, r.stderr).toBe(2);
    expect(firstLine(r.stderr)).toMatch(message);
    expect(r.stderr).not.toContain('BERTH_DEBUG');
  });

  it.each(MODES)(
    'names the services when --scale names one the config does not have ($mode)',
    async ({ extra }) => {
      const r = await runBerth(['up', '--config', CRUDDUR_CONFIG, '--scale', 'nope=2', ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        "berth: --scale nope=...: no service 'nope' in this config (services: backend, frontend)\n",
      );
    },
  );

  it.each(MODES)(
    'names the services when --base-image names one the config does not build ($mode)',
    async ({ extra }) => {
      const r = await runBerth([
        'up',
        '--config',
        CRUDDUR_CONFIG,
        '--engine',
        'podman',
        '--base-image',
        'nope=x@sha256:1',
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        "berth: --base-image/--build-image nope=...: no service 'nope' with image.context in this config (services: backend, frontend)\n",
      );
    },
  );
});

describe("berth up: two of berth's own listeners on one port is a usage error, before anything starts", () => {
  const dir = tempDir('cli-ports');
  afterAll(() => cleanup(dir));

  it('refuses the same port for --http-port and --https-port', async () => {
    const r = await runBerth([
      'up',
      '--config',
      CRUDDUR_CONFIG,
      '--http-port',
      '18443',
      '--https-port',
      '18443',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      'berth: --http-port and --https-port are both 18443; the edge listens on two ports: choose another for one of them\n',
    );
  });

  it.each(MODES)(
    "names --discovery-ports free when a service's port is the edge's ($mode)",
    async ({ extra }) => {
      const config = writeFlipConfig(dir, { port: 18080 });
      const r = await runBerth([
        'up',
        '--config',
        config,
        '--http-port',
        '18080',
        '--https-port',
        '0',
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(firstLine(r.stderr)).toBe(
        "berth: --http-port and services.web.port are both 18080; the process engine listens on each service's port for Service Connect: change one, or pass --discovery-ports free",
      );
    },
  );
});

describe('the port plan: what berth up refuses and what it lets through', () => {
  const samePort = cruddur((c) => {
    c.services.frontend!.port = c.services.backend!.port;
    return c;
  });

  it('refuses two services on one port for the process engine, naming both', () => {
    expect(() => checkUpOptions(samePort, { httpPort: 0, httpsPort: 0 })).toThrow(
      "services.backend.port and services.frontend.port are both 4567; the process engine listens on each service's port for Service Connect: change one, or pass --discovery-ports free",
    );
  });

  it('lets them through where each service has its own address or port, as on Fargate', () => {
    for (const options of [{ discoveryPorts: 'free' as const }, { engine: 'podman' as const }])
      expect(() => checkUpOptions(samePort, { httpPort: 0, httpsPort: 0, ...options })).not.toThrow();
  });
});

describe('berth up: a task that never becomes healthy is a handled failure', () => {
  const dir = tempDir('cli-task-failed');
  afterAll(() => cleanup(dir));

  it('exits 1 with the task and its output, without the unexpected-error hint', async () => {
    const config = writeFlipConfig(dir, {
      local: { command: [process.execPath, '-e', "console.log('no database'); process.exit(3)"] },
    });
    const r = await runBerth(['up', '--config', config, ...PORT_FLAGS]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/berth: web-1 exited \(code 3\) before it became healthy/);
    expect(r.stderr).toContain('no database');
    expect(r.stderr).not.toContain('BERTH_DEBUG');
  });

  it("names the service's folder when it does not exist, not the command, before anything starts (exit 2)", async () => {
    const config = writeFlipConfig(dir, {
      local: { command: [process.execPath, 'server.js'], cwd: './no-such-folder' },
    });
    const r = await runBerth(['up', '--config', config, ...PORT_FLAGS]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `services.web.local.cwd: no-such-folder is not a folder (looked for ${path.join(dir, 'no-such-folder')}); give the folder the command runs in`,
    );
    expect(r.stderr).not.toContain('edge');
    expect(r.stderr).not.toContain('ENOENT');
  });
});

describe('berth up: what is in the way is named, with the way around it', () => {
  const dir = tempDir('cli-in-the-way');
  afterAll(() => cleanup(dir));

  it('says that a file named .berth is in the way of the state folder (exit 2), for up and status alike', async () => {
    const folder = path.join(dir, 'dot-file');
    mkdirSync(folder);
    const config = writeFlipConfig(folder);
    writeFileSync(path.join(folder, '.berth'), 'not a folder');
    for (const args of [['up', ...PORT_FLAGS], ['status'], ['down']]) {
      const r = await runBerth([...args, '--config', config]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        `berth: ${path.join(folder, '.berth')} is a file, but berth keeps its state (certificates, logs, the running supervisor) in a folder of that name next to the config; move the file away\n`,
      );
    }
  });

  it('prints no stop messages before an error that came before anything started', async () => {
    const folder = path.join(dir, 'bad-local-file');
    mkdirSync(path.join(folder, '.berth'), { recursive: true });
    const config = writeFlipConfig(folder);
    writeFileSync(path.join(folder, '.berth', 'environment.local.json'), '{bad');
    const r = await runBerth(['up', '--config', config, ...PORT_FLAGS]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('environment.local.json is not valid JSON');
    expect(r.stderr).not.toContain('stopping');
    expect(r.stderr).not.toContain('no task is left running');
  });

  it("names --discovery-ports free when a service's port is taken by another program", async () => {
    const other = net.createServer();
    await listen(other, 0, '127.0.0.1');
    const port = (other.address() as AddressInfo).port;
    try {
      const config = writeFlipConfig(dir, { port });
      const r = await runBerth(['up', '--config', config, '--http-port', '0', '--https-port', '0']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `port ${port} for the Service Connect listener of web is in use by another program; free it or choose another with services.web.port, or let every Service Connect listener take a free port with --discovery-ports free`,
      );
    } finally {
      await closeServer(other);
    }
  });

  it('runs a service with --scale SERVICE=0 as it runs one with scaling.desired: 0', async () => {
    const config = writeFlipConfig(dir);
    const up = await runBerth(['up', '--config', config, '--scale', 'web=0', '--detach', ...PORT_FLAGS]);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/^web +0\/0 +no task/m);
    } finally {
      expect((await runBerth(['down', '--config', config])).code).toBe(0);
    }
  });
});

describe('berth up --engine podman: a failed build', () => {
  const dir = tempDir('cli-build-failed');
  afterAll(() => cleanup(dir));

  it("names the failed service's build log, not a placeholder, and prints no stop messages", async () => {
    // RUN on an empty image fails at once, with no base image to pull.
    writeFileSync(path.join(dir, 'Containerfile'), 'FROM scratch\nRUN false\n');
    const config = writeFlipConfig(dir);
    const r = await runBerth(['up', '--config', config, '--engine', 'podman', ...PORT_FLAGS]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `berth: building the image of web failed; the output is in ${path.join(dir, '.berth', 'logs', 'build-web.log')}\n`,
    );
    expect(r.stderr).not.toContain('stopping');
  });
});
