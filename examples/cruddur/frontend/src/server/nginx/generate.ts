// `npm run build` step: writes the nginx image's configuration to dist-nginx/ from the modules the
// Fastify server runs, so the two servers cannot drift apart:
//
//   node dist-server/nginx/generate.js --outdir dist-nginx
//
// cruddur.js      njs.ts and what it imports, bundled for njs 0.7
// security-headers.conf  the headers @fastify/helmet sends with the server's options
// nginx.conf      for the image: files in /app/dist and /app/nginx, port 3000, only /tmp writable
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { build } from 'esbuild';

import { nginxConf, securityHeaders, securityHeadersConf } from './config.ts';

/** Where the Containerfile copies dist-nginx/ and dist/. */
export const IMAGE_PATHS = {
  root: '/app/dist',
  script: '/app/nginx/cruddur.js',
  headersFile: '/app/nginx/security-headers.conf',
} as const;

/** The njs script: one ES module whose default export holds the handlers. */
export async function bundleNjs(): Promise<string> {
  // njs.ts beside this file in src/, or its tsc output beside the compiled generate.js.
  const self = fileURLToPath(import.meta.url);
  const entry = path.join(path.dirname(self), `njs${path.extname(self)}`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    // njs 0.7.9 knows ES5.1 with let/const, arrow functions and template literals, but not
    // ?? or ?. (ES2020); esbuild rewrites those.
    target: 'es2016',
    platform: 'neutral',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text ?? '';
  // njs takes `export default <name>;`, not the `export { <name> as default };` esbuild writes.
  const exported = /export\s*\{\s*([\w$]+) as default\s*\};?\s*$/.exec(code);
  if (!exported) throw new Error('the njs bundle has no default export');
  return `${code.slice(0, exported.index)}export default ${exported[1]};\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  if (!values.outdir) {
    process.stderr.write('usage: node dist-server/nginx/generate.js --outdir DIR\n');
    process.exit(2);
  }
  const outdir = path.resolve(values.outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  writeFileSync(path.join(outdir, 'cruddur.js'), await bundleNjs());
  writeFileSync(path.join(outdir, 'security-headers.conf'), securityHeadersConf(await securityHeaders()));
  writeFileSync(path.join(outdir, 'nginx.conf'), nginxConf(IMAGE_PATHS));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
