// The container's HEALTHCHECK: `node dist-server/healthcheck.js` exits 0 when the server on this
// machine answers GET / with 200 within 2 seconds, else 1. Runtime images have no curl or shell.
import { EnvError, readServerEnv } from './env.ts';

const TIMEOUT_MS = 2_000;

async function check(): Promise<string | undefined> {
  const { port } = readServerEnv(process.env);
  const url = `http://127.0.0.1:${port}/`;
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.body?.cancel();
  return response.status === 200 ? undefined : `${url} answered ${response.status}`;
}

let problem: string | undefined;
try {
  problem = await check();
} catch (error) {
  problem =
    error instanceof EnvError
      ? error.message
      : `health check failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
}
if (problem !== undefined) process.stderr.write(`${problem}\n`);
// Exit now rather than when fetch's keep-alive socket times out.
process.exit(problem === undefined ? 0 : 1);
