import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../shared/net.ts';
import { BerthError } from '../shared/errors.ts';
import { ToolMissingError } from './errors.ts';

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  readonly address: string;
  /** Stops the server and removes its storage. */
  stop(): Promise<void>;
}

/**
 * Starts the CNCF distribution registry (Debian's `docker-registry`) on 127.0.0.1 with its storage
 * in a temporary folder: a real OCI registry for tests and for machines without Docker Hub.
 */
export async function startLocalRegistry(
  options: { readonly timeoutMs?: number } = {},
): Promise<LocalRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new ToolMissingError('docker-registry', 'install it (Debian: apt-get install -y docker-registry)')
          : error,
      ),
    );
    child.once('close', (code) =>
      reject(new BerthError(`docker-registry exited (${code}) before it answered: ${stderr.trim()}`)),
    );
  });
  failed.catch(() => {});
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForV2(address, options.timeoutMs ?? 15_000), failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, stop };
}

async function waitForV2(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new BerthError(`the registry on ${address} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
