#!/usr/bin/env node
// Two ways berth runs. Installed from its package, there is no src/: run the compiled dist/, which
// starts fast and needs no TypeScript tooling. In this repository, run the TypeScript source through
// tsx, so an edit takes effect without a build and a stale dist/ can never answer instead.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

// berth prints no warning it does not own: the AWS SDK's notice about future Node.js versions is
// for whoever upgrades berth's dependencies, not for its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  // `import ... from 'berth'` in a config here (examples/cruddur) resolves to src/ too: the
  // package's exports send the berth-source condition there, and dist/ otherwise.
  register(
    'data:text/javascript,export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "berth-source"] }); }',
  );
  const tsx = await import('tsx/esm/api');
  tsx.register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
