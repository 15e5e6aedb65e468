import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStatus } from '../../src/local/index.ts';
import { cleanup, PORT_FLAGS, taskPids, tempDir, writeFlipConfig } from './helpers.ts';
import { runBerth } from '../support/berth-cli.ts';

const RELEASE_SERVER = path.join(import.meta.dirname, 'fixtures/release-server.mjs');

describe('berth restart on a blue-green service: the stages as progress lines, exit 1 on a failed check', () => {
  const dir = tempDir('release-cli');
  const behaviourFile = path.join(dir, 'behaviour.json');
  const behave = (behaviour: Record<string, unknown>) =>
    writeFileSync(behaviourFile, JSON.stringify(behaviour));
  const config = writeFlipConfig(dir, {
    local: { command: [process.execPath, RELEASE_SERVER] },
    environment: { RELEASE_FILE: behaviourFile },
    release: { strategy: 'blue-green', verify: [{ path: '/verify', bodyContains: '"version"' }] },
  });
  const pids: number[] = [];
  const status = async () => {
    const r = await runBerth(['status', '--config', config, '--json']);
    const parsed = JSON.parse(r.stdout) as LocalStatus;
    pids.push(...taskPids(parsed));
    return parsed.services[0]!.tasks.map((t) => t.id);
  };

  beforeAll(async () => {
    behave({ version: 'v1' });
    const r = await runBerth([
      'up',
      '--config',
      config,
      '--detach',
      '--health-interval',
      '100',
      ...PORT_FLAGS,
    ]);
    expect(r.code, r.stderr).toBe(0);
    await status();
  });

  afterAll(async () => {
    await runBerth(['down', '--config', config]);
    cleanup(dir, pids);
  });

  it('prints each stage of a release and the new tasks', async () => {
    behave({ version: 'v2' });
    const r = await runBerth(['restart', 'web', '--config', config, '--bake-seconds', '0']);
    expect(r.code, r.stderr).toBe(0);
    const stages = r.stderr.split('\n').filter((line) => /releas|test traffic|shifting|baking/.test(line));
    expect(stages).toEqual([
      '· releasing web: blue-green: test traffic, then 100% at once; bake 0 s',
      expect.stringMatching(
        /^· test traffic to web's green tasks on the test listener :\d+: GET \/health, GET \/verify$/,
      ),
      "· shifting 100% of web's requests to green",
      '· baking web for 0 s: blue stays up until then',
      '· released web: green serves all of its requests, blue is stopped',
    ]);
    expect(r.stdout).toMatch(/^web\s+1\/1\s+1 healthy/m);
    await status();
  });

  it('exits 1 naming the failed check and what it got; the old task keeps serving', async () => {
    const before = await status();
    behave({ version: 'v3', verifyStatus: 503 });
    const r = await runBerth(['restart', 'web', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'x web: green failed GET /verify on the test listener: it answered 503, expected 200: ',
    );
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^berth: web: green failed GET \/verify on the test listener: it answered 503, expected 200: .*blue keeps serving$/,
    );
    expect(await status()).toEqual(before);
  });

  it.each([
    [['--strategy', 'big-bang'], /--strategy <strategy>' argument 'big-bang' is invalid/],
    [
      ['--step-seconds', '-1'],
      /--step-seconds <seconds>' argument '-1' is invalid\. use a number of seconds/,
    ],
    [['--step-percent', '0'], /--step-percent <percent>' argument '0' is invalid\. use a percentage/],
  ])('refuses %j as a usage error (exit 2)', async (flags, message) => {
    const r = await runBerth(['restart', 'web', '--config', config, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
