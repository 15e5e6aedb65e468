import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer, restartOptions, type ControlledRun } from '../../src/local/control-server.ts';
import type { LocalStatus, RestartOptions } from '../../src/local/index.ts';

const TOKEN = 'token-for-this-test';

/** A run that records the restarts it is asked for: what the control server hands on, and what not. */
function recordingRun() {
  const restarts: { service: string; options: RestartOptions | undefined }[] = [];
  const run: ControlledRun = {
    status: () => ({ app: 'cruddur', phase: 'running', services: [] }) as unknown as LocalStatus,
    restart: async (service, options) => {
      restarts.push({ service, options });
    },
    stop: async () => {},
    subscribe: () => () => {},
  };
  return { run, restarts };
}

let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function restartThrough(body: string) {
  const { run, restarts } = recordingRun();
  server = new ControlServer(run, TOKEN);
  const port = await server.listen();
  const response = await fetch(`http://127.0.0.1:${port}/restart/backend`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, restarts };
}

describe('the restart options a control request carries', () => {
  it('are none for an empty body: the config release applies as written', () => {
    expect(restartOptions('')).toEqual({});
    expect(restartOptions('{}')).toEqual({});
  });

  it('keep exactly the options given, so an absent one leaves the config value in place', () => {
    expect(restartOptions('{"strategy":"canary","stepSeconds":10}')).toEqual({
      strategy: 'canary',
      stepSeconds: 10,
    });
    expect(restartOptions('{"bakeSeconds":0,"stepPercent":0.1}')).toEqual({
      bakeSeconds: 0,
      stepPercent: 0.1,
    });
  });

  it.each([
    ['{"strategy":"all-at-once"}', '--strategy must be one of rolling, blue-green, canary, linear'],
    ['{"stepSeconds":-1}', '--step-seconds must be a number of seconds from 0 to 86400'],
    ['{"bakeSeconds":"10"}', '--bake-seconds must be a number of seconds from 0 to 86400'],
    ['{"bakeSeconds":86401}', '--bake-seconds must be a number of seconds from 0 to 86400'],
    ['{"stepPercent":0}', '--step-percent must be a number from 0.1 to 100'],
    ['{"stepPercent":101}', '--step-percent must be a number from 0.1 to 100'],
    ['[1]', 'the restart request must be a JSON object of restart options'],
    ['{"strategy":', 'the restart request is not JSON'],
  ])('refuse %s, naming the flag and its range', (body, message) => {
    expect(() => restartOptions(body)).toThrow(message);
  });
});

describe('the control server', () => {
  it('hands a valid restart request to the run with its options', async () => {
    const answer = await restartThrough('{"strategy":"blue-green","bakeSeconds":5}');

    expect(answer.status).toBe(200);
    expect(answer.restarts).toEqual([
      { service: 'backend', options: { strategy: 'blue-green', bakeSeconds: 5 } },
    ]);
  });

  it('answers a body too large to be restart options with that usage error, not a reset', async () => {
    const answer = await restartThrough(`{"strategy":"canary","padding":"${'x'.repeat(70 * 1024)}"}`);

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'the restart request is too large', kind: 'usage' });
    expect(answer.restarts).toEqual([]);
  });

  it('answers a bad one with a usage error and restarts nothing', async () => {
    const answer = await restartThrough('{"stepSeconds":"soon"}');

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: '--step-seconds must be a number of seconds from 0 to 86400',
      kind: 'usage',
    });
    expect(answer.restarts).toEqual([]);
  });
});
