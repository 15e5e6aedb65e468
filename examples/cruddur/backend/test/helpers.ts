import { buildApp, type AppDeps } from '../src/app.ts';
import { loadSettings, type Settings } from '../src/settings.ts';
import { MemoryActivityStore } from '../src/store/index.ts';

/** Settings as the server would read them from `env`, quiet unless a test asks for logs. */
export function testSettings(env: Record<string, string> = {}): Settings {
  return loadSettings({ LOG_LEVEL: 'silent', ...env });
}

/** The app on an empty memory store unless `deps` says otherwise. Close it after the test. */
export function testApp(env: Record<string, string> = {}, deps: AppDeps = {}) {
  return buildApp(testSettings(env), { store: new MemoryActivityStore(), ...deps });
}

/** Collects the app's JSON log lines. */
export function logCollector() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    stream: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}
