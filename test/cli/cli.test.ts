import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

/** berth in a folder without a config of its own, unless the test names one. */
const berth = (args: string[], cwd = os.tmpdir()) => runBerth(args, { cwd });

/** `body` as a config in a fresh folder that, like the reference's, holds the services' folders. */
function badConfig(body: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bad-'));
  for (const service of ['frontend', 'backend'])
    symlinkSync(path.join(path.dirname(REFERENCE_FILE), service), path.join(dir, service));
  const file = path.join(dir, 'berth.config.ts');
  writeFileSync(file, body);
  return file;
}

const NO_STACK = /^\s+at\s/m;

const synthInto = (out: string) =>
  berth(['synth', '--config', REFERENCE_FILE, '--out', out, '--no-validate']);

describe('berth synth', () => {
  it('writes both templates for the reference config', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'berth-out-'));
    const { code, stdout } = await synthInto(out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/CruddurRegistry/);
    expect(existsSync(path.join(out, 'CruddurProd.template.json'))).toBe(true);
    expect(existsSync(path.join(out, 'CruddurRegistry.template.json'))).toBe(true);
    // A second synth replaces its own earlier output.
    expect((await synthInto(out)).code).toBe(0);
  });

  it('says where a missing config should be and exits 2', async () => {
    const { code, stderr } = await berth(['synth', '--config', 'nowhere.ts']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no config file at .*nowhere\.ts; pass --config FILE/);
  });

  it('will not clear an --out directory that holds anything but an earlier synth', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'berth-out-'));
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const { code, stderr } = await synthInto(out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/is not empty and holds no earlier synth output/);
    expect(existsSync(path.join(out, 'notes.txt'))).toBe(true);
  });

  it('refuses an --out on a pseudo file system or an empty --out (exit 2), at once and writing nothing', async () => {
    const proc = await synthInto('/proc/berth-out');
    expect(proc.code).toBe(2);
    expect(proc.stderr).toBe(
      'berth: --out /proc/berth-out: no folder can be made there; choose another path\n',
    );
    const sys = await synthInto('/sys/berth-out');
    expect(sys.code).toBe(2);
    expect(sys.stderr).toMatch(
      /^berth: --out \/sys\/berth-out: (not permitted there|permission denied); choose another path\n$/,
    );
    const empty = await synthInto('');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--out is empty; give a path');
    const schema = await berth(['schema', '--out', '']);
    expect(schema).toMatchObject({ code: 2, stdout: '' });
    expect(schema.stderr).toContain('--out is empty; give a path');
  });

  it('names --out and the problem when the output folder cannot be made there (exit 2)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-out-')), 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await synthInto(path.join(file, 'cdk.out'));
    expect(code).toBe(2);
    expect(stderr).toBe(
      `berth: --out ${path.join(file, 'cdk.out')}: part of the path is a file, not a folder; choose another path\n`,
    );
  });

  it("prints berth's version with --version", async () => {
    const { version } = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'),
    );
    for (const flag of ['--version', '-V'])
      expect(await berth([flag])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('refuses an unknown flag with exit 2', async () => {
    const { code, stderr } = await berth(['synth', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--bogus'/);
  });
});

describe('berth check', () => {
  it('lists every config problem with its path and fix, exits 2, and prints no stack trace', async () => {
    const file = badConfig(`export default {
      app: 'cruddur', env: { account: '123456789012', region: 'us-east-1' },
      domain: 'cruddur.example.com', hostedZone: { id: 'Z0123456789CRUDDUR', name: 'cruddur.example.com' },
      services: {
        backend: { image: { context: '.' }, port: 4567, healthCheck: { path: '/api/health-check' }, cpu: 300, route: { host: '@' } },
        web: { image: { context: '.' }, port: 70000, healthCheck: { path: '/' } },
      },
    };`);
    const { code, stdout, stderr } = await berth(['check', '--config', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'services.backend.cpu: 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384',
    );
    expect(stderr).toMatch(/services\.web\.port: /);
    expect(stderr).not.toMatch(NO_STACK);
  });

  it('reports a config that does not even load, without a stack trace', async () => {
    const file = badConfig('export default {{ nope');
    const { code, stderr } = await berth(['check', '--config', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot load the file/);
    expect(stderr).not.toMatch(NO_STACK);
  });

  it('exits 1 and names the rule when the config departs from a pack', async () => {
    const file = badConfig(
      `import reference from ${JSON.stringify(REFERENCE_FILE)};\nexport default { ...reference, alb: { deletionProtection: false } };\n`,
    );
    const { code, stdout } = await berth(['check', '--config', file, '--skip-lint']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Errors \(\d+\)$/m);
    expect(stdout).toContain('NIST.800.53.R5-ELBDeletionProtectionEnabled');
    expect(stdout).toMatch(/unacknowledged finding/);
  });

  it('passes on the reference config and prints the result as JSON', async () => {
    const { code, stdout } = await berth(['check', '--config', REFERENCE_FILE, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.passed).toBe(true);
    expect(result.findings).toEqual([]);
    expect(result.acknowledged.length).toBeGreaterThan(0);
    // Every network path it proved, with the rule that asked for it.
    expect(result.reachability).toContainEqual(
      expect.objectContaining({ rule: 'Reachability-Logs', from: 'backend', expect: 'open', ok: true }),
    );
    // One name per pack: the acknowledgements carry the name the findings and `ran` use.
    const packsRan = result.ran.map((r: string) =>
      r.startsWith('cdk-nag ')
        ? r.slice('cdk-nag '.length)
        : r.startsWith('Control Tower')
          ? 'cdk-validator-cfnguard'
          : r,
    );
    expect(new Set(result.acknowledged.map((a: { pack: string }) => a.pack))).toEqual(
      new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'cdk-validator-cfnguard']),
    );
    for (const a of result.acknowledged) expect(packsRan).toContain(a.pack);
  });

  it('keeps each cdk-nag message whole, cutting only its list of control ids', async () => {
    const file = badConfig(
      `import reference from ${JSON.stringify(REFERENCE_FILE)};\nexport default { ...reference, alb: { deletionProtection: false } };\n`,
    );
    const { code, stdout } = await berth(['check', '--config', file, '--skip-lint', '--json']);
    expect(code).toBe(1);
    const messages: string[] = JSON.parse(stdout).findings.map((f: { message: string }) => f.message);
    const hipaa = JSON.parse(stdout).findings.find(
      (f: { rule: string }) => f.rule === 'HIPAA.Security-ELBDeletionProtectionEnabled',
    );
    expect(hipaa.pack).toBe('HIPAA.Security');
    expect(hipaa.message).toMatch(/deletion protection enabled$/);
    for (const message of messages) {
      expect(message).not.toContain('Control IDs');
      expect(message).not.toMatch(/\d\)\)?\.?$/); // no tail of a control id such as `(7)(ii)(C)).`
    }
  });

  it('acknowledges nothing for packs that did not run', async () => {
    const file = badConfig(
      `import reference from ${JSON.stringify(REFERENCE_FILE)};\nexport default { ...reference, compliance: { packs: [], controlTower: false } };\n`,
    );
    const { code, stdout } = await berth(['check', '--config', file, '--skip-lint', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).acknowledged).toEqual([]);
    const text = await berth(['check', '--config', file, '--skip-lint']);
    // The network reachability check is not a pack: it runs whatever the packs say.
    expect(text.stdout).toMatch(/Checks run: reachability \(\d+ network paths\)\.$/m);
    expect(text.stdout).toMatch(/No unacknowledged findings\.$/m);
    expect(text.stdout).not.toContain('acknowledged by design');
  });
});

describe('berth schema', () => {
  it('prints a JSON Schema that editors can use for the config', async () => {
    const { code, stdout } = await berth(['schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['app', 'env', 'domain', 'hostedZone', 'services']),
    );
    expect(schema.properties.network.properties.egress.enum).toEqual([
      'nat-gateway',
      'nat-instance',
      'endpoints',
      'public-tasks',
    ]);
  });

  it('names --out and the problem when the file cannot be written (exit 2)', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-out-')), 'no-such-folder', 'schema.json');
    const { code, stderr } = await berth(['schema', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toBe(`berth: --out ${out}: a folder on the way does not exist; choose another path\n`);
  });
});

describe('berth mirror', () => {
  it('refuses a source that is not an image reference before any AWS call (exit 2, one line)', async () => {
    const r = await berth(['mirror', 'not a ref!!', '--config', REFERENCE_FILE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "berth: 'not a ref!!' is not an image reference; write [registry/]name[:tag][@sha256:digest], e.g. docker.io/library/node:20-bookworm-slim\n",
    );
  });

  it("prints no warning of the AWS SDK's own on the way to an AWS error", async () => {
    const r = await runBerth(
      ['mirror', 'docker.io/library/node:20-bookworm-slim', '--config', REFERENCE_FILE],
      {
        cwd: os.tmpdir(),
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: 'berth-no-such-profile',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^berth: cannot get ECR credentials for /);
    expect(r.stderr).not.toContain('Warning');
  });
});

describe('--platform', () => {
  it.each([
    ['build', '--config', REFERENCE_FILE, '--platform', 'linux/riscv64'],
    ['up', '--config', REFERENCE_FILE, '--engine', 'podman', '--platform', 'linux/riscv64'],
    ['mirror', 'x', '--to', '127.0.0.1:1/base', '--platform', 'linux/riscv64'],
  ])('%s refuses a platform berth does not build, before doing anything (exit 2)', async (...args) => {
    const { code, stderr } = await berth(args);
    expect(stderr).toBe(
      'berth: --platform linux/riscv64 is not a platform berth builds; use linux/amd64 or linux/arm64\n',
    );
    expect(code).toBe(2);
  });
});

describe('releases on the command line', () => {
  it('berth synth refuses a canary service when alb.allowedCidrs closes the test listener to the verifier (exit 2, a config error)', async () => {
    const file = badConfig(
      `import reference from ${JSON.stringify(REFERENCE_FILE)};\nexport default { ...reference, alb: { allowedCidrs: ['203.0.113.0/24'] }, services: { ...reference.services, backend: { ...reference.services.backend, release: { strategy: 'canary' } } } };\n`,
    );
    const out = mkdtempSync(path.join(os.tmpdir(), 'berth-out-'));
    const { code, stderr } = await berth(['synth', '--config', file, '--out', out, '--no-validate']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "alb.allowedCidrs: services.backend.release.strategy 'canary' checks new tasks from AWS Lambda through port 8443, which this list closes to it",
    );
    expect(stderr).not.toMatch(NO_STACK);
  });

  it('berth rollback names an unknown --service before reading AWS (exit 2)', async () => {
    const { code, stderr } = await berth(['rollback', '--config', REFERENCE_FILE, '--service', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "berth: --service nope: no service 'nope' in this config (services: backend, frontend)\n",
    );
    expect(stderr).not.toMatch(/credentials|account/i);
  });
});
