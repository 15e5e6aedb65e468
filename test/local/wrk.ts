import { spawn } from 'node:child_process';

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly non2xx: number;
  readonly socketErrors: { connect: number; read: number; write: number; timeout: number };
  readonly latencyP50Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly raw: string;
}

/**
 * Restarts `backend` under load through the edge: wrk sends requests for 25 s (long enough to cover
 * a restart on a busy machine), the restart starts 1 s in. `coveredByLoad` says the load outlasted the
 * restart; without it, zero failed requests would prove nothing.
 */
export async function restartUnderLoad<T>(
  httpsUrl: string,
  restart: () => Promise<T>,
): Promise<{ value: T; restartMs: number; coveredByLoad: boolean; result: WrkResult }> {
  const httpsPort = new URL(httpsUrl).port;
  const load = wrk(`https://127.0.0.1:${httpsPort}/api/health-check`, {
    seconds: 25,
    connections: 8,
    host: `api.cruddur.localhost:${httpsPort}`,
  });
  let loadOver = false;
  void load.then(() => (loadOver = true));
  await new Promise((r) => setTimeout(r, 1_000));
  const started = Date.now();
  const value = await restart();
  const restartMs = Date.now() - started;
  const coveredByLoad = !loadOver;
  return { value, restartMs, coveredByLoad, result: await load };
}

/** Runs wrk (Debian package `wrk`) for a bounded time against a URL on 127.0.0.1 and parses its report. */
export function wrk(
  url: string,
  options: { seconds: number; connections?: number; threads?: number; host?: string },
): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 10}`,
    `-d${options.seconds}s`,
    '--timeout',
    '5s',
    '--latency',
    ...(options.host ? ['-H', `Host: ${options.host}`] : []),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (options.seconds + 15) * 1000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      resolve(parseWrk(out));
    });
  });
}

export function parseWrk(raw: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(m?s|m)\b/.exec(raw);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(raw);
  const percentile = (p: number) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(raw);
    return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : undefined;
  };
  const seconds = total ? Number(total[2]) * (total[3] === 'ms' ? 0.001 : total[3] === 'm' ? 60 : 1) : 0;
  const requests = total ? Number(total[1]) : 0;
  return {
    requests,
    seconds,
    requestsPerSecond: seconds ? requests / seconds : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    latencyP50Ms: percentile(50),
    latencyP99Ms: percentile(99),
    raw,
  };
}

/**
 * Sends load with wrk while `action` runs: wrk starts, `action` starts 1 s in, and wrk is stopped
 * (SIGINT: it prints its report) 300 ms after `action` settles, so the load covers all of it and
 * the test waits no longer than the action. Bounded at `maxSeconds` all the same.
 */
export async function wrkDuring<T>(
  url: string,
  options: { host: string; connections?: number; maxSeconds?: number },
  action: () => Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; coveredByLoad: boolean; result: WrkResult }> {
  const maxSeconds = options.maxSeconds ?? 60;
  const child = spawn(
    'wrk',
    [
      '-t1',
      `-c${options.connections ?? 8}`,
      `-d${maxSeconds}s`,
      '--timeout',
      '5s',
      '--latency',
      '-H',
      `Host: ${options.host}`,
      url,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), (maxSeconds + 15) * 1000);
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const [outcome] = await Promise.allSettled([action()]);
    await new Promise((r) => setTimeout(r, 300));
    const coveredByLoad = child.exitCode === null;
    child.kill('SIGINT');
    const code = await closed;
    if (code !== 0) throw new Error(`wrk exited ${code}: ${out}`);
    return { outcome: outcome!, coveredByLoad, result: parseWrk(out) };
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
