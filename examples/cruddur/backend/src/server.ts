import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { flushLog } from './logger.js';
import { loadSettings, SettingsError, type Settings } from './settings.js';

function readSettings(): Settings | undefined {
  try {
    return loadSettings(process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

const settings = readSettings();
if (settings !== undefined) {
  const app = buildApp(settings);

  // Explicit handlers also make SIGTERM work as PID 1 in a container, where signals have no default
  // action. Closing stops accepting, lets in-flight requests finish, then closes the store; after
  // SHUTDOWN_TIMEOUT_MS the process exits 1 anyway.
  const shutdown = closeWithGrace(
    { delay: settings.shutdownTimeoutMs, logger: app.log },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'closing after an unexpected error');
      else app.log.info({ signal }, 'closing');
      await app.close();
      // Every access line queued so far is written before close-with-grace exits the process.
      await flushLog(app.log);
    },
  );

  try {
    await app.listen({ port: settings.port, host: settings.host });
  } catch (err) {
    app.log.fatal({ err }, `cannot listen on ${settings.host}:${settings.port}`);
    shutdown.uninstall();
    process.exitCode = 1;
    await app.close();
  }
}
