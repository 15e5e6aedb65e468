import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/shared/net.ts';

/** A moto_server (AWS API emulator) on 127.0.0.1, started and stopped by the test that needs it. */
export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  /** What moto_server printed: a 500 reaches the SDK as a parse error, the cause is here. */
  readonly stderr: () => string;
  readonly stop: () => Promise<void>;
}

/** `env`: moto's own switches, e.g. MOTO_ECS_SERVICE_RUNNING, MOTO_ACCOUNT_ID. */
export async function startMoto(options: { env?: Record<string, string> } = {}): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-20_000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr.slice(-500)}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `moto_server did not answer on ${endpoint} within 30 s (is it installed?): ${stderr.slice(-500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    port,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Credentials and region for SDK clients talking to moto; never real ones. */
export function motoClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/**
 * Points the AWS SDK of this process (and of `berth` children, which inherit it) at an emulator
 * endpoint with test credentials, never a real account's. Each test file runs in its own process.
 */
export function useEmulatorAsAws(endpoint: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    ...extra,
  });
}
