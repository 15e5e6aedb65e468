import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandLine, execCommand } from '../../src/aws/exec.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cruddur } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { FAKE_SESSION, startEcsExecProxy, type EcsExecProxy } from '../support/ecs-exec-proxy.ts';
import { startMoto, type Moto, useEmulatorAsAws } from '../support/moto.ts';
import { seedStage, type SeededStage } from '../support/moto-stage.ts';

// ECS Exec ends in the Session Manager plugin, which needs AWS's data channel: here a fake
// session-manager-plugin on PATH records the arguments berth hands it and exits with a chosen
// code. moto lacks ExecuteCommand; test/support/ecs-exec-proxy.ts answers it in front of moto.

const ROOT = path.resolve(import.meta.dirname, '../..');
// ECS Exec is something a config opts in to.
const config = cruddur((c) => ({ ...c, exec: true }));
const EXEC_ON = path.resolve(import.meta.dirname, 'fixtures/exec-on.config.ts');
const pluginDir = mkdtempSync(path.join(os.tmpdir(), 'berth-fake-plugin-'));
const argsFile = path.join(pluginDir, 'args');
let moto: Moto;
let proxy: EcsExecProxy;
let stage: SeededStage;
const savedEnv = { ...process.env };

beforeAll(async () => {
  writeFileSync(
    path.join(pluginDir, 'session-manager-plugin'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(argsFile)}\nexit "\${FAKE_PLUGIN_EXIT:-0}"\n`,
  );
  chmodSync(path.join(pluginDir, 'session-manager-plugin'), 0o755);
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
  stage = await seedStage(moto.endpoint, config, {
    frontend: { desired: 1, pushed: 1, tasks: 1 },
    backend: { desired: 1, pushed: 1, tasks: 1 },
  });
  proxy = await startEcsExecProxy(moto.endpoint);
  useEmulatorAsAws(proxy.endpoint);
  delete process.env.AWS_PROFILE;
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
  process.env = savedEnv;
  rmSync(pluginDir, { recursive: true, force: true });
});

beforeEach(() => {
  rmSync(argsFile, { force: true });
  proxy.executed.length = 0;
});

const pluginArgs = () => readFileSync(argsFile, 'utf8').replace(/\n$/, '').split('\n');

describe('execCommand', () => {
  it("runs the command in the service's running task and hands the session to the plugin", async () => {
    const result = await execCommand({
      config,
      service: 'backend',
      command: ['node', '-e', 'console.log(1)'],
      path: pluginDir,
    });
    const taskId = stage.services.backend!.taskIds[0]!;
    expect(result).toEqual({ task: taskId, container: 'backend', exitCode: 0 });
    expect(proxy.executed).toEqual([
      {
        cluster: 'cruddur-prod',
        task: expect.stringMatching(new RegExp(`/${taskId}$`)),
        container: 'backend',
        command: 'node -e "console.log(1)"',
        interactive: true,
      },
    ]);
    // The AWS CLI's order: session, region, StartSession, profile, request, endpoint.
    expect(pluginArgs()).toEqual([
      JSON.stringify(FAKE_SESSION),
      'us-east-1',
      'StartSession',
      '',
      JSON.stringify({ Target: `ecs:cruddur-prod_${taskId}_${taskId}-0` }),
      proxy.endpoint,
    ]);
  });

  it('takes the task asked for, and refuses a task of another service', async () => {
    const backendTask = stage.services.backend!.taskIds[0]!;
    const own = await execCommand({
      config,
      service: 'backend',
      task: backendTask,
      command: ['node'],
      path: pluginDir,
    });
    expect(own.task).toBe(backendTask);
    const frontendTask = stage.services.frontend!.taskIds[0]!;
    const error = await execCommand({
      config,
      service: 'backend',
      task: frontendTask,
      command: ['node'],
      path: pluginDir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `--task ${frontendTask}: no running task of backend with that id in stage prod; berth status --stage prod shows the service`,
    );
  });

  it('says there is no shell, and what can run, before calling AWS', async () => {
    await expect(execCommand({ config, service: 'backend', command: [], path: pluginDir })).rejects.toThrow(
      'the backend image has no shell, by design; give the program to run after --, e.g. berth exec backend -- node (node is in the image: the health check runs it)',
    );
    await expect(execCommand({ config, service: 'frontend', command: [], path: pluginDir })).rejects.toThrow(
      'the frontend image has no shell, by design; give the program to run after --, e.g. berth exec frontend -- /app/healthcheck (/app/healthcheck is in the image: the health check runs it)',
    );
    expect(proxy.executed).toEqual([]);
  });

  it('names the missing plugin and where to get it', async () => {
    await expect(
      execCommand({ config, service: 'backend', command: ['node'], path: os.tmpdir() }),
    ).rejects.toThrow(
      'the Session Manager plugin (session-manager-plugin) is not installed or not on PATH; install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html',
    );
    expect(proxy.executed).toEqual([]);
  });
});

describe('commandLine', () => {
  it('keeps each argument one argument', () => {
    expect(commandLine(['node', '-e', 'console.log("a b")'])).toBe('node -e "console.log(\\"a b\\")"');
    expect(commandLine(['node', '--version'])).toBe('node --version');
  });
});

describe('berth exec', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const before = { ...process.env };
    Object.assign(process.env, env);
    const run = runBerth(['exec', ...args], { cwd: ROOT });
    process.env = before;
    return run;
  };
  const withPlugin = { PATH: `${pluginDir}${path.delimiter}${process.env.PATH}` };

  it('hands over to the plugin and exits with its code', async () => {
    const r = await cli(['backend', '--config', EXEC_ON, '--', 'node', '--version'], {
      ...withPlugin,
      FAKE_PLUGIN_EXIT: '3',
    });
    expect(r.code, r.stderr).toBe(3);
    expect(pluginArgs()[2]).toBe('StartSession');
    expect(proxy.executed.map((e) => e.command)).toEqual(['node --version']);
  });

  it('without a command: one line saying what can run (exit 2)', async () => {
    const r = await cli(['backend', '--config', EXEC_ON], withPlugin);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'berth: the backend image has no shell, by design; give the program to run after --, e.g. berth exec backend -- node (node is in the image: the health check runs it)\n',
    );
  });

  it('without the plugin: one line with the fix (exit 1)', async () => {
    const r = await cli(['backend', '--config', EXEC_ON, '--', 'node'], { PATH: '/usr/bin:/bin' });
    expect(existsSync(argsFile)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^berth: the Session Manager plugin \(session-manager-plugin\) is not installed or not on PATH; install it: https:\/\/docs.aws.amazon.com\/\S+\n$/,
    );
  });

  it('with exec off in the config: one line with the fix (exit 2)', async () => {
    const r = await cli(
      ['backend', '--config', path.join(ROOT, 'test/aws/fixtures/exec-off.config.ts'), '--', 'node'],
      withPlugin,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'berth: ECS Exec is off for this app; set exec: true in the config and run berth deploy, which replaces the tasks\n',
    );
  });
});
