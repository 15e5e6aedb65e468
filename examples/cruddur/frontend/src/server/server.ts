import { fileURLToPath } from 'node:url';

import { buildServer } from './app.ts';
import { EnvError, readServerEnv } from './env.ts';

// The compiled file lives in dist-server/; the vite build sits beside it in dist/.
const STATIC_DIR = fileURLToPath(new URL('../dist/', import.meta.url));
/** A request still running after this long is cut off so the task can stop. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let env;
  try {
    env = readServerEnv(process.env);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`cruddur-frontend: ${error.message}\n`);
    process.exit(1);
  }

  const app = await buildServer({
    staticDir: STATIC_DIR,
    backendUrl: env.backendUrl,
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });

  // As PID 1 in a container, node has no default signal handlers: without these a
  // `docker stop` waits out its timeout and ends in SIGKILL.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error('in-flight requests did not finish in time');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  await app.listen({ port: env.port, host: env.host });
}

await main();
