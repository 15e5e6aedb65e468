import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { up, type LocalRun, type LocalStatus } from '../../src/local/index.ts';
import { FLIP_SERVER, cleanup, taskPids, tempDir } from './helpers.ts';

/** Two flip servers: `web` declares a call to `api`; `api` declares none. */
function callingConfig(dir: string) {
  const service = (extra: object) => ({
    image: { context: '.' },
    healthCheck: { path: '/health', interval: 5, timeout: 2 },
    local: { command: [process.execPath, FLIP_SERVER] },
    shutdownSeconds: 2,
    ...extra,
  });
  return parseConfig(
    {
      app: 'calls',
      env: { account: '123456789012', region: 'us-east-1' },
      domain: 'calls.example.com',
      hostedZone: { id: 'Z0123456789CALLS', name: 'calls.example.com' },
      services: {
        web: service({ port: 3000, route: { host: '@' }, calls: ['api'] }),
        api: service({ port: 4000 }),
      },
    },
    path.join(dir, 'berth.config.ts'),
  );
}

describe('berth up (process engine): Service Connect opens only the calls a service declares', () => {
  const dir = tempDir('calls');
  let run: LocalRun;
  let status: LocalStatus;
  /** A service's task environment, as its flip server reports it. */
  const envOf = async (id: string) => {
    const url = status.services.find((s) => s.id === id)!.discoveryUrl;
    const body = (await (await fetch(url)).json()) as { env: Record<string, string> };
    return body.env;
  };

  beforeAll(async () => {
    run = await up(callingConfig(dir), { httpPort: 0, httpsPort: 0, discoveryPorts: 'free' });
    status = run.status();
  });

  afterAll(async () => {
    const pids = status ? taskPids(status) : [];
    await run?.stop();
    cleanup(dir, pids);
  });

  it('forwards a declared call to the callee', async () => {
    const res = await fetch(`${(await envOf('web')).SERVICE_API_URL}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('refuses an undeclared call with 403, naming the caller, the callee and the fix', async () => {
    const url = (await envOf('api')).SERVICE_WEB_URL!;
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe(
      "api does not declare a call to web: add 'web' to services.api.calls in the config (in AWS, web's security group drops it)\n",
    );
    // Nor does the refusal depend on the path: the whole callee is closed to this caller.
    expect((await fetch(`${url}/`)).status).toBe(403);
  });

  it("gives a caller its own address for a callee, not the callee's shared listener", async () => {
    const web = await envOf('web');
    expect(web.SERVICE_API_URL).not.toBe(status.services.find((s) => s.id === 'api')!.discoveryUrl);
    // A service still reaches its own tasks through its own listener.
    expect(web.SERVICE_WEB_URL).toBe(status.services.find((s) => s.id === 'web')!.discoveryUrl);
  });
});
