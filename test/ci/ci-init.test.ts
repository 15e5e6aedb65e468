import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { validateWorkflow } from '@action-validator/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import reference from '../../examples/cruddur/berth.config.ts';
import { ACTIONS, ciInit, ciPlan } from '../../src/ci/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { runBerth } from '../support/berth-cli.ts';
import { STAGES, stagedConfig } from './fixtures.ts';

const exec = promisify(execFile);
const repo = mkdtempSync(path.join(os.tmpdir(), 'berth-ci-init-'));
const configFile = path.join(repo, 'berth.config.ts');
const config = stagedConfig(configFile);
let workflowText: string;
let workflow: Workflow;

interface Job {
  name: string;
  'runs-on': string;
  if: string;
  needs?: string[];
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions: Record<string, string>;
  steps: { uses?: string; run?: string; name?: string; if?: string; with?: Record<string, unknown> }[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

beforeAll(async () => {
  await exec('git', ['-C', repo, 'init', '-q']);
  writeFileSync(configFile, 'export default {};\n');
  const result = await ciInit(config, { provider: 'github', configFile });
  expect(result).toMatchObject({ change: 'created', branch: 'main' });
  expect(result.path).toBe(path.join(repo, '.github/workflows/berth.yml'));
  workflowText = readFileSync(result.path, 'utf8');
  workflow = parse(workflowText) as Workflow;
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('berth ci init --provider github', () => {
  it('writes a workflow that a GitHub workflow validator accepts (and that rejects a broken one)', () => {
    expect(validateWorkflow(workflowText).errors).toEqual([]);
    const broken = workflowText.replace(
      '  check:\n    name: berth check\n',
      '  check:\n    name: berth check\n    timeout-minutes: soon\n',
    );
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('runs on pull requests and on pushes to the default branch, with no permissions unless a job asks', () => {
    expect(workflow.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
    expect(workflow.permissions).toEqual({});
    expect(Object.keys(workflow.jobs)).toEqual(['check', 'diff', 'deploy-staging', 'deploy-prod']);
  });

  it('checks compliance and the images, and diffs the first non-production stage, into the job summary', () => {
    const { check, diff } = workflow.jobs;
    expect(check!.if).toBe("github.event_name == 'pull_request'");
    expect(check!.permissions).toEqual({ contents: 'read' });
    expect(runs(check!)).toMatch(
      /npx berth check > "\$RUNNER_TEMP\/berth-output.txt"[\s\S]*npx berth build >[\s\S]*npx berth check --images >/,
    );
    expect(diff!.if).toContain("github.event_name == 'pull_request'");
    expect(diff!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(runs(diff!)).toContain(
      'npx berth diff --stage staging --method template > "$RUNNER_TEMP/berth-output.txt"',
    );
    for (const job of [check!, diff!]) {
      expect(runs(job)).toContain('>> "$GITHUB_STEP_SUMMARY"');
      // The step fails with berth's exit code: findings fail the pull request.
      expect(runs(job)).toContain('exit "$status"');
    }
    const credentials = diff!.steps.find((s) => s.uses?.startsWith(ACTIONS.awsCredentials.repo));
    expect(credentials?.with).toMatchObject({
      'role-to-assume': 'arn:aws:iam::123456789012:role/berth-cruddur-diff',
      'aws-region': 'us-east-1',
      'allowed-account-ids': '123456789012',
    });
  });

  it('deploys staging, building the images once, then prod with the same digests behind its environment', () => {
    const staging = workflow.jobs['deploy-staging']!;
    const prod = workflow.jobs['deploy-prod']!;
    expect(staging.if).toBe("github.event_name == 'push'");
    expect(staging.needs).toBeUndefined();
    expect(prod.needs).toEqual(['deploy-staging']);
    expect([staging.environment, prod.environment]).toEqual(['staging', 'prod']);
    expect(staging.concurrency).toEqual({ group: 'berth-deploy-staging', 'cancel-in-progress': false });
    expect(prod.concurrency).toEqual({ group: 'berth-deploy-prod', 'cancel-in-progress': false });
    for (const job of [staging, prod])
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(runs(staging)).toContain(
      '"$(npm root)/.bin/berth" deploy --stage staging > "$RUNNER_TEMP/berth-output.txt" 2>&1 &',
    );
    expect(runs(prod)).toContain(
      '"$(npm root)/.bin/berth" deploy --stage prod --images-from staging > "$RUNNER_TEMP/berth-output.txt"',
    );
    const roles = [staging, prod].map(
      (j) => j.steps.find((s) => s.uses?.startsWith(ACTIONS.awsCredentials.repo))?.with?.['role-to-assume'],
    );
    expect(roles).toEqual([
      'arn:aws:iam::123456789012:role/berth-cruddur-deploy-staging',
      'arn:aws:iam::123456789012:role/berth-cruddur-deploy-prod',
    ]);
    expect(workflowText).toMatch(/required reviewers/i);
  });

  it("passes a cancelled run's signal to berth deploy as Ctrl-C, and waits for it to finish its rollback", async () => {
    const step = workflow.jobs['deploy-staging']!.steps.find(
      (s) => s.name === 'berth deploy --stage staging',
    )!;
    const work = mkdtempSync(path.join(os.tmpdir(), 'berth-ci-cancel-'));
    try {
      // A project with a stand-in berth installed as npm installs a bin: it says it started, and on
      // SIGINT "rolls back" for 300 ms. The step finds it as it would find the real one.
      writeFileSync(path.join(work, 'package.json'), '{ "name": "app", "private": true }\n');
      mkdirSync(path.join(work, 'node_modules/berth'), { recursive: true });
      mkdirSync(path.join(work, 'node_modules/.bin'));
      writeFileSync(
        path.join(work, 'node_modules/berth/berth.js'),
        [
          '#!/usr/bin/env node',
          "const fs = require('node:fs');",
          "process.on('SIGINT', () => { fs.appendFileSync(process.env.SIGNALS, 'INT ' + process.argv.slice(2).join(' ') + '\\n'); setTimeout(() => process.exit(130), 300); });",
          "console.log('deploying');",
          'setTimeout(() => process.exit(0), 30000);',
        ].join('\n'),
      );
      chmodSync(path.join(work, 'node_modules/berth/berth.js'), 0o755);
      symlinkSync('../berth/berth.js', path.join(work, 'node_modules/.bin/berth'));
      const signals = path.join(work, 'signals');
      const summary = path.join(work, 'summary');
      // As GitHub runs a step: bash -eo pipefail with the script, the runner's temporary folder and summary.
      const shell = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
        cwd: work,
        env: { ...process.env, RUNNER_TEMP: work, GITHUB_STEP_SUMMARY: summary, SIGNALS: signals },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => shell.once('exit', (code) => resolve(code)));
      const output = path.join(work, 'berth-output.txt');
      while (!(existsSync(output) && readFileSync(output, 'utf8').includes('deploying')))
        await new Promise((r) => setTimeout(r, 50));
      shell.kill('SIGINT');

      expect(await exited).toBe(130);
      expect(readFileSync(signals, 'utf8')).toBe('INT deploy --stage staging\n');
      expect(readFileSync(summary, 'utf8')).toContain('deploying');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);

  it('pins every action by full commit SHA with its version in a comment, and holds no secret', () => {
    const used = Object.values(workflow.jobs).flatMap((j) =>
      j.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const u of used) expect(u).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    for (const action of Object.values(ACTIONS))
      expect(workflowText).toContain(`uses: ${action.repo}@${action.sha} # ${action.version}\n`);
    expect(workflowText).not.toMatch(/\$\{\{\s*secrets\.|aws-access-key-id|aws-secret-access-key/);
    for (const job of Object.values(workflow.jobs))
      expect(job.steps.find((s) => s.uses?.startsWith('actions/checkout'))?.with).toEqual({
        'persist-credentials': false,
        // Tags come from the last commit that changed a service: the whole history is needed.
        'fetch-depth': 0,
      });
  });

  it('keeps a file it wrote, refuses to replace a different one, and replaces it with --force', async () => {
    const again = await ciInit(config, { provider: 'github', configFile });
    expect(again.change).toBe('unchanged');
    const file = again.path;
    writeFileSync(file, 'name: mine\n');
    await expect(ciInit(config, { provider: 'github', configFile })).rejects.toThrow(
      new UsageError(`${file} exists with other content; run berth ci init again with --force to replace it`),
    );
    expect(readFileSync(file, 'utf8')).toBe('name: mine\n');
    expect((await ciInit(config, { provider: 'github', configFile, force: true })).change).toBe('updated');
    expect(readFileSync(file, 'utf8')).toBe(workflowText);
  });

  it("builds on a runner of the images' CPU: arm64 natively, both architectures with qemu on x86_64", async () => {
    // The reference app's images are arm64 (berth's default).
    expect(new Set(Object.values(workflow.jobs).map((j) => j['runs-on']))).toEqual(
      new Set(['ubuntu-24.04-arm']),
    );
    expect(workflowText).not.toContain('qemu');
    const mixed = {
      ...config,
      services: config.services.map((s, i) => (i === 0 ? { ...s, architecture: 'x86_64' as const } : s)),
    };
    const out = path.join(repo, 'mixed.yml');
    await ciInit(mixed, { provider: 'github', configFile, out });
    const text = readFileSync(out, 'utf8');
    const jobs = (parse(text) as Workflow).jobs;
    expect(new Set(Object.values(jobs).map((j) => j['runs-on']))).toEqual(new Set(['ubuntu-24.04']));
    // qemu where images are built: the checks and the one deploy that builds.
    const emulating = Object.entries(jobs).filter(([, j]) => runs(j).includes('qemu-user-static'));
    expect(emulating.map(([id]) => id)).toEqual(['check', 'deploy-staging']);
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it("lets the pull request's build pull bases from berth mirror's ECR copies, through the read-only role", async () => {
    const mirrored = `123456789012.dkr.ecr.us-east-1.amazonaws.com/cruddur/base@sha256:${'b'.repeat(64)}`;
    const fromMirror = {
      ...config,
      services: config.services.map((s) =>
        s.id === 'backend' && s.image.kind === 'build'
          ? { ...s, image: { ...s.image, args: { ...s.image.args, BASE_IMAGE: mirrored } } }
          : s,
      ),
    };
    const out = path.join(repo, 'mirror.yml');
    await ciInit(fromMirror, { provider: 'github', configFile, out });
    const text = readFileSync(out, 'utf8');
    const check = (parse(text) as Workflow).jobs.check!;

    expect(validateWorkflow(text).errors).toEqual([]);
    expect(check.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const steps = check.steps.map((step) => step.uses?.split('@')[0] ?? step.name ?? step.run);
    const login = steps.indexOf(ACTIONS.awsCredentials.repo);
    expect(login).toBeGreaterThan(-1);
    expect(login).toBeLessThan(steps.indexOf('berth build'));
    const credentials = check.steps[login] as { if?: string; with?: Record<string, unknown> };
    // A fork's pull request has no token to assume it with: the step is skipped (its build then fails to pull).
    expect(credentials.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(credentials.with?.['role-to-assume']).toBe('arn:aws:iam::123456789012:role/berth-cruddur-diff');
    // A base in another ECR repository is not the role's to pull: no token for it either.
    const elsewhere = {
      ...fromMirror,
      services: fromMirror.services.map((s) =>
        s.image.kind === 'build' && s.image.args.BASE_IMAGE
          ? {
              ...s,
              image: {
                ...s.image,
                args: { ...s.image.args, BASE_IMAGE: mirrored.replace('/cruddur/base', '/shared/base') },
              },
            }
          : s,
      ),
    };
    const elsewhereOut = path.join(repo, 'elsewhere.yml');
    await ciInit(elsewhere, { provider: 'github', configFile, out: elsewhereOut });
    const elsewhereCheck = (parse(readFileSync(elsewhereOut, 'utf8')) as Workflow).jobs.check!;
    expect(elsewhereCheck.permissions).toEqual({ contents: 'read' });
    expect(elsewhereCheck.steps.some((step) => step.uses?.startsWith(ACTIONS.awsCredentials.repo))).toBe(
      false,
    );
    // With public bases (the reference app), the check job holds no token at all.
    expect(workflow.jobs.check!.permissions).toEqual({ contents: 'read' });
    expect(
      workflow.jobs.check!.steps.some((step) => step.uses?.startsWith(ACTIONS.awsCredentials.repo)),
    ).toBe(false);
  });

  it('deploys from another branch when told, and refuses a branch name that would break the YAML', async () => {
    const out = path.join(repo, 'release.yml');
    await ciInit(config, { provider: 'github', configFile, out, branch: 'release/v2' });
    expect((parse(readFileSync(out, 'utf8')) as Workflow).on).toEqual({
      pull_request: null,
      push: { branches: ['release/v2'] },
    });
    await expect(
      ciInit(config, {
        provider: 'github',
        configFile,
        out: path.join(repo, 'bad.yml'),
        branch: 'main]\n  evil:',
      }),
    ).rejects.toThrow(/^--branch main]\n {2}evil:: use a branch name of letters, digits and \. _ \/ - only$/);
  });

  it("runs berth in the config's folder when the config is not at the repository root", async () => {
    mkdirSync(path.join(repo, 'app'), { recursive: true });
    const nested = path.join(repo, 'app/berth.config.ts');
    const out = path.join(repo, 'nested.yml');
    await ciInit(stagedConfig(nested), { provider: 'github', configFile: nested, out });
    const text = readFileSync(out, 'utf8');
    expect(parse(text)).toMatchObject({ defaults: { run: { shell: 'bash', 'working-directory': 'app' } } });
    expect(validateWorkflow(text).errors).toEqual([]);
    const script = path.join(repo, 'nested.sh');
    await ciInit(stagedConfig(nested), { provider: 'script', configFile: nested, out: script });
    expect(readFileSync(script, 'utf8')).toContain('\ncd "$(dirname "$0")/app"\nconfig=berth.config.ts\n');
  });

  it('refuses stages in two accounts: one build is promoted through one registry', () => {
    const apart = stagedConfig(configFile, [STAGES[0]!, { ...STAGES[1]!, account: '210987654321' }]);
    expect(() => ciPlan(apart)).toThrow(
      /stage prod \(210987654321\/us-east-1\) is not in the account and region of staging/,
    );
  });

  it('runs from the CLI: says what it wrote and what comes next', async () => {
    // The CLI loads a real config: the reference one, as JSON (today it lists just its --stage stage).
    const jsonConfig = path.join(repo, 'berth.config.json');
    writeFileSync(jsonConfig, JSON.stringify(reference));
    const out = path.join(repo, 'cli.yml');
    const { code, stdout } = await runBerth(
      ['ci', 'init', '--provider', 'github', '--config', jsonConfig, '--out', out],
      {
        cwd: repo,
      },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('Wrote cli.yml');
    expect(stdout).toContain('berth ci bootstrap --provider github --repo OWNER/NAME');
    expect(validateWorkflow(readFileSync(out, 'utf8')).errors).toEqual([]);
  }, 60_000);
});

describe('berth ci init --provider script', () => {
  let script: string;

  beforeAll(async () => {
    const result = await ciInit(config, {
      provider: 'script',
      configFile,
      out: path.join(repo, 'ci/berth.sh'),
    });
    script = result.path;
  });

  it('writes a POSIX sh script with set -eu that sh -n and shellcheck accept', async () => {
    expect(readFileSync(script, 'utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*\nset -eu\n/);
    await exec('sh', ['-n', script]);
    await exec('shellcheck', ['--shell=sh', script]);
  });

  it('runs the same steps: staging builds, prod takes its digests; an unknown stage exits 2', async () => {
    // A stand-in npx records each berth command line instead of running berth.
    const bin = path.join(repo, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'npx'), '#!/bin/sh\necho "$*" >> "$BERTH_LOG"\n');
    chmodSync(path.join(bin, 'npx'), 0o755);
    const log = path.join(repo, 'npx.log');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, BERTH_LOG: log };
    await exec('sh', [script, 'deploy'], { env });
    await exec('sh', [script, 'pull-request'], { env });
    expect(readFileSync(log, 'utf8').split('\n')).toEqual([
      '--no-install berth deploy --stage staging --config berth.config.ts',
      '--no-install berth deploy --stage prod --images-from staging --config berth.config.ts',
      '--no-install berth check --config berth.config.ts',
      '--no-install berth build --config berth.config.ts',
      '--no-install berth check --images --config berth.config.ts',
      '--no-install berth diff --stage staging --method template --config berth.config.ts',
      '',
    ]);
    await expect(exec('sh', [script, 'deploy', 'qa'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: 'unknown stage qa (stages: staging prod)\n',
    });
  });
});

describe('docs/stages-and-ci.md', () => {
  it('holds the files berth ci init writes for the reference app with staging and prod, as written', async () => {
    const docs = readFileSync(path.resolve(import.meta.dirname, '../../docs/stages-and-ci.md'), 'utf8');
    const script = await ciInit(config, { provider: 'script', configFile });
    expect(script.path).toBe(path.join(repo, 'berth-ci.sh'));
    expect(docs).toContain(`\`\`\`yaml\n${workflowText}\`\`\`\n`);
    expect(docs).toContain(`\`\`\`sh\n${readFileSync(script.path, 'utf8')}\`\`\`\n`);
  });
});
