import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBerth } from '../support/berth-cli.ts';
import { startMotoAccount, type MotoAccount } from '../support/moto-aws.ts';

/**
 * Stages in separate accounts: the wrong-account guard of every command that acts on a deployed
 * stage compares the credentials with that stage's account. moto answers as 123456789012; the
 * config's base account is another one, and only the dev stage names moto's.
 */
let account: MotoAccount;
const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-stage-accounts-'));
const config = path.join(dir, 'berth.config.json');

beforeAll(async () => {
  account = await startMotoAccount();
  writeFileSync(
    config,
    JSON.stringify({
      app: 'shop',
      env: { account: '111111111111', region: 'us-east-1' },
      domain: 'shop.example.com',
      hostedZone: { id: 'Z0123456789SHOP', name: 'shop.example.com' },
      exec: true,
      services: {
        web: {
          image: { ref: `registry.example.com/web@sha256:${'a'.repeat(64)}` },
          port: 3000,
          healthCheck: { path: '/' },
          route: { host: '@' },
        },
      },
      stages: {
        dev: { env: { account: '123456789012' }, domain: 'dev.shop.example.com' },
        prod: {},
        qa: { env: { account: '222222222222' } },
      },
    }),
  );
  // exec checks for the Session Manager plugin before it calls AWS; this one is never reached.
  writeFileSync(path.join(dir, 'session-manager-plugin'), '#!/bin/sh\nexit 99\n');
  chmodSync(path.join(dir, 'session-manager-plugin'), 0o755);
}, 60_000);

afterAll(async () => {
  await account?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the wrong-account guard uses the stage's account", () => {
  it('refuses every command on a stage in another account, naming both, exit 2, nothing created', async () => {
    const env = { ...process.env, ...account.env, PATH: `${dir}:${process.env.PATH}` };
    const stage = ['--config', config, '--stage', 'prod'];
    const commands = [
      ['deploy', '--yes', ...stage],
      ['diff', ...stage],
      ['status', ...stage],
      ['logs', 'web', ...stage],
      ['exec', 'web', ...stage, '--', 'node'],
      ['destroy', '--yes', ...stage],
    ];
    const runs = await Promise.all(commands.map((args) => runBerth(args, { env })));
    for (const [i, run] of runs.entries()) {
      expect(run.code, `${commands[i]![0]}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(
        'the credentials are for account 123456789012 (arn:aws:sts::123456789012:user/moto) but the config deploys to account 111111111111; switch AWS_PROFILE to account 111111111111, or change env.account in the config',
      );
    }
    const stacks = await new CloudFormationClient({ region: 'us-east-1' }).send(new ListStacksCommand({}));
    expect(stacks.StackSummaries ?? []).toEqual([]);
  }, 120_000);

  it("names the stage's own env.account as the field to change when the stage sets it", async () => {
    const run = await runBerth(['diff', '--config', config, '--stage', 'qa']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'but the config deploys to account 222222222222; switch AWS_PROFILE to account 222222222222, or change stages.qa.env.account in the config',
    );
  }, 60_000);

  it("lets the dev stage through with moto's account: its own account, not the base's", async () => {
    const run = await runBerth(['diff', '--config', config, '--stage', 'dev', '--method', 'template']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ShopDev:');
    expect(run.stdout).toContain('A deploy of stage dev would make these changes.');
  }, 60_000);
});
