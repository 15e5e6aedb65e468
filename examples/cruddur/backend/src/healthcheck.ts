// The container's HEALTHCHECK: `node dist/healthcheck.js` exits 0 when the server on this machine
// answers the health check with 200 within 2 seconds, else 1. Uses no curl, which slim images lack.
import { loadSettings, SettingsError } from './settings.js';

const TIMEOUT_MS = 2_000;

async function check(): Promise<string | undefined> {
  const { port } = loadSettings(process.env);
  const url = `http://127.0.0.1:${port}/api/health-check`;
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.body?.cancel();
  return response.status === 200 ? undefined : `${url} answered ${response.status}`;
}

let problem: string | undefined;
try {
  problem = await check();
} catch (error) {
  problem =
    error instanceof SettingsError
      ? error.message
      : `health check failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
}
if (problem !== undefined) process.stderr.write(`${problem}\n`);
// Exit now rather than when fetch's keep-alive socket times out.
process.exit(problem === undefined ? 0 : 1);
