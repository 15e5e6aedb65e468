import { spawn } from 'node:child_process';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, ListPoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_FILE } from '../fixtures.ts';
import { BERTH_BIN, runBerth } from '../support/berth-cli.ts';
import { startMotoAccount, type MotoAccount } from '../support/moto-aws.ts';

/** The AWS commands as users run them (bin/berth.js in a child process), against moto_server. */
let account: MotoAccount;

beforeAll(async () => {
  account = await startMotoAccount();
}, 60_000);

afterAll(async () => {
  await account?.stop();
});

/** A child environment without any AWS credentials: no variables, no shared files, no instance metadata. */
function noCredentials(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: account.endpoint,
  };
}

async function nothingCreated(): Promise<void> {
  const stacks = await new CloudFormationClient({ region: 'us-east-1' }).send(new ListStacksCommand({}));
  expect(stacks.StackSummaries ?? []).toEqual([]);
  const policies = await new IAMClient({ region: 'us-east-1' }).send(
    new ListPoliciesCommand({ Scope: 'Local' }),
  );
  expect((policies.Policies ?? []).map((p) => p.PolicyName)).not.toContain('berth-cfn-execution');
}

describe('berth bootstrap, diff, deploy and destroy on the command line', () => {
  it.each([['bootstrap'], ['deploy'], ['diff'], ['destroy', '--yes']])(
    'berth %s without credentials says how to provide them in one line, exit 1, nothing created',
    async (...args) => {
      const run = await runBerth([...args, '--config', REFERENCE_FILE], { env: noCredentials() });
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(
        'berth: no AWS credentials found; set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
      expect(lines.filter((l) => l.startsWith('berth:'))).toHaveLength(1);
      await nothingCreated();
    },
  );

  it('refuses credentials for another account, naming both, exit 2, nothing created', async () => {
    const other = await startMotoAccount({ MOTO_ACCOUNT_ID: '111111111111' });
    try {
      const env = { ...process.env, ...other.env };
      for (const args of [['bootstrap'], ['deploy'], ['destroy', '--yes'], ['diff']]) {
        const run = await runBerth([...args, '--config', REFERENCE_FILE], { env });
        expect(run.code, args[0]).toBe(2);
        expect(run.stderr).toContain('the credentials are for account 111111111111');
        expect(run.stderr).toContain('the config deploys to account 123456789012');
      }
      const stacks = await new CloudFormationClient({ region: 'us-east-1', endpoint: other.endpoint }).send(
        new ListStacksCommand({}),
      );
      expect(stacks.StackSummaries ?? []).toEqual([]);
    } finally {
      await other.stop();
      Object.assign(process.env, account.env);
    }
  }, 120_000);

  it('refuses destroy without --yes when not on a terminal, exit 2', async () => {
    const run = await runBerth(['destroy', '--config', REFERENCE_FILE, '--stage', 'staging']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'destroy deletes CruddurStaging in account 123456789012, us-east-1; pass --yes',
    );
  });

  it('refuses a stage name that cannot be part of AWS names, exit 2', async () => {
    const run = await runBerth(['diff', '--config', REFERENCE_FILE, '--stage', 'Prod_1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--stage "Prod_1": a stage must be 2-32 characters');
  });

  it('bootstraps, then says nothing changed the second time; --json on stdout', async () => {
    const first = await runBerth(['bootstrap', '--config', REFERENCE_FILE]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('CDKToolkit: created in account 123456789012, us-east-1');
    expect(first.stdout).toContain('Bootstrapped.');
    const second = await runBerth(['bootstrap', '--config', REFERENCE_FILE, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      toolkitStack: { change: 'unchanged' },
      changed: false,
    });
  }, 120_000);

  it('diffs a stage that is not deployed yet as all additions; --fail exits 1', async () => {
    const run = await runBerth(['diff', '--config', REFERENCE_FILE, '--method', 'template', '--fail']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/CruddurProd:\n/);
    expect(run.stdout).toMatch(/BackendTaskDef\w+\s+AWS::ECS::TaskDefinition\s+add/);
    expect(run.stdout).toContain('IAM changes');
    expect(run.stdout).toContain('Security group changes');
    expect(run.stdout).toContain('A deploy of stage prod would make these changes.');
  }, 120_000);

  it.each(['bootstrap', 'deploy', 'diff', 'destroy'])('berth %s --help shows an example', async (command) => {
    const run = await runBerth([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Example:\\n.*berth ${command}`));
  });
});

describe('Ctrl-C during berth deploy', () => {
  /** Starts `berth deploy`, waits for the compliance check to start, then sends SIGINT `times` times. */
  async function interrupt(times: number): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [BERTH_BIN, 'deploy', '--config', REFERENCE_FILE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const checking = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += String(d);
        if (stderr.includes('running the compliance checks')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await checking;
    for (let i = 0; i < times; i++) {
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
    }
    return { code: await exited, stderr };
  }

  it('the first stops the deploy before its next step, and nothing is created', async () => {
    const run = await interrupt(1);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Cancelling: a stack update in progress is rolled back (Ctrl-C again to leave it running).',
    );
    expect(run.stderr).toContain('berth: deploy cancelled before deploying the registry stack');
    // The bootstrap test before may have made CDKToolkit; the deploy itself made nothing.
    const stacks = await new CloudFormationClient({ region: 'us-east-1' }).send(new ListStacksCommand({}));
    expect((stacks.StackSummaries ?? []).map((st) => st.StackName)).not.toContain('CruddurRegistry');
  }, 60_000);

  it('a second leaves CloudFormation running and says how to follow it', async () => {
    const run = await interrupt(2);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `Left running in CloudFormation. Follow it with: berth status --stage prod --config ${REFERENCE_FILE}`,
    );
  }, 60_000);
});
