import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

/** berth in a folder without a config of its own, unless the test names one. */
const berth = (args: string[], cwd = os.tmpdir()) => runBerth(args, { cwd });

function badConfig(body: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bad-'));
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
    expect(existsSync(path.join(out, 'Cruddur.template.json'))).toBe(true);
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

  it('names --out and the problem when the output folder cannot be made there (exit 2)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-out-')), 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await synthInto(path.join(file, 'cdk.out'));
    expect(code).toBe(2);
    expect(stderr).toBe(
      `berth: --out ${path.join(file, 'cdk.out')}: part of the path is a file, not a folder; choose another path\n`,
    );
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
