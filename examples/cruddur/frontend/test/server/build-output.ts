import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FRONTEND_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const STATIC_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));
export const SERVER_ENTRY = fileURLToPath(new URL('../../dist-server/server.js', import.meta.url));

/** The server tests run against the real build; say how to make it rather than fail obscurely. */
export function requireBuild(): void {
  const missing = [`${STATIC_DIR}index.html`, SERVER_ENTRY].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `The frontend is not built (missing ${missing.join(', ')}). ` +
        'Run `npm run build -w @cruddur/frontend` (root `npm test` does it for you).',
    );
  }
}

/** The content-hashed entry script vite wrote, e.g. `index-D6R-pZ8y.js`. */
export function builtScript(): string {
  const script = readdirSync(`${STATIC_DIR}assets`).find((file) => file.endsWith('.js'));
  if (!script) throw new Error(`No .js file in ${STATIC_DIR}assets; rebuild the frontend.`);
  return script;
}
