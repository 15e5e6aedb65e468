// @vitest-environment node
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { FRONTEND_DIR, SERVER_ENTRY, requireBuild } from './build-output.ts';
import { freePort } from './free-port.ts';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: FRONTEND_DIR,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]): Exit => {
    running.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stderr };
  });
  return { child, exited };
}

async function waitForOk(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('compiled frontend server', () => {
  beforeAll(requireBuild);
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it('exits 1 with one line on stderr naming BACKEND_URL when it is not an http(s) URL', async () => {
    const { exited } = start({ BACKEND_URL: 'ftp://files.example.com', PORT: '0', HOST: '127.0.0.1' });

    const { code, stderr } = await exited;
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('BACKEND_URL');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('serves the page, then exits 0 on %s', async (signal) => {
    const port = await freePort();
    const { child, exited } = start({ PORT: String(port), HOST: '127.0.0.1' });
    await waitForOk(`http://127.0.0.1:${port}/`);

    const config = await fetch(`http://127.0.0.1:${port}/config.json`);
    expect(await config.json()).toEqual({ backendUrl: null });
    child.kill(signal);

    const { code, stderr } = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
