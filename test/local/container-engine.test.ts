import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statePaths } from '../../src/local/index.ts';
import { ContainerEngine, removeRunResources } from '../../src/local/engines/container-engine.ts';
import { cleanup, flipConfig, tempDir } from './helpers.ts';

/**
 * A stand-in for docker that records the command line and the environment of `docker run`, so the
 * test sees what any user of `ps` on this machine would see.
 */
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$RECORD_DIR/calls"
case "$*" in
  "ps --all --quiet --filter label=berth.run=0123456789abcdef") echo c1; echo c2 ;;
  "network ls --quiet --filter label=berth.run=0123456789abcdef") echo berth-flip-01234567 ;;
  "secret ls --format {{.Name}}") echo berth-01234567-web-api_key; echo berth-99999999-web-api_key ;;
esac
if [ "$1" = run ]; then
  printf '%s\\n' "$@" > "$RECORD_DIR/args"
  env > "$RECORD_DIR/env"
  echo container-id
fi
[ "$1" = wait ] && echo 0
exit 0
`;

describe('container engines keep secret values off the command line', () => {
  const dir = tempDir('container-engine');
  const bin = path.join(dir, 'bin');
  const savedPath = process.env.PATH;

  beforeAll(() => {
    mkdirSync(bin);
    for (const engine of ['docker', 'podman']) {
      writeFileSync(path.join(bin, engine), FAKE_DOCKER);
      chmodSync(path.join(bin, engine), 0o755);
    }
    process.env.PATH = `${bin}:${savedPath}`;
    process.env.RECORD_DIR = dir;
  });

  afterAll(() => {
    process.env.PATH = savedPath;
    delete process.env.RECORD_DIR;
    cleanup(dir);
  });

  it('passes every variable as --env NAME, with its value in the environment of docker run', async () => {
    // GIVEN a service with a secret
    const config = flipConfig(dir, { secrets: { API_KEY: { ssm: '/flip/api-key' } } });
    const paths = statePaths(dir);
    mkdirSync(paths.logs, { recursive: true });
    const engine = new ContainerEngine('docker', {
      runId: '0123456789abcdef',
      paths,
      app: 'flip',
      buildArgs: {},
      baseImages: {},
      signal: new AbortController().signal,
    });
    // WHEN a task starts
    const task = await engine.start({
      service: config.services[0]!,
      taskId: 'web-1',
      env: { API_KEY: 's3cret-value', PLAIN: 'plain' },
      logFile: path.join(paths.logs, 'web-1.log'),
    });
    await task.exited;
    // THEN the values are in the CLI's environment only
    const args = readFileSync(path.join(dir, 'args'), 'utf8');
    expect(args).not.toContain('s3cret-value');
    expect(args).toMatch(/^--env\nAPI_KEY\n/m);
    expect(args).toMatch(/^--env\nPLAIN\n/m);
    const env = readFileSync(path.join(dir, 'env'), 'utf8');
    expect(env).toMatch(/^API_KEY=s3cret-value$/m);
    expect(env).toMatch(/^PORT=3000$/m);
  });

  it("removes a run's containers, network and podman secrets, and no other run's", () => {
    writeFileSync(path.join(dir, 'calls'), '');
    removeRunResources('podman', '0123456789abcdef');
    const calls = readFileSync(path.join(dir, 'calls'), 'utf8').split('\n');
    expect(calls).toContain('rm --force --time 0 c1 c2');
    expect(calls).toContain('network rm --force berth-flip-01234567');
    expect(calls).toContain('secret rm berth-01234567-web-api_key');
  });
});
