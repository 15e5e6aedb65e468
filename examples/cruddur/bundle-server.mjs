// Bundles a workspace's server entry points into single ES module files for its container image:
//
//   node ../bundle-server.mjs --outdir bundle/dist src/server.ts src/healthcheck.ts
//
// The image then needs no node_modules, no npm and no install step: one file per entry point,
// pure JavaScript, the same on every platform. Beside the files it writes bundle/package.json
// (type module) and bundle/package-lock.json naming every npm package that went into the bundle,
// with versions, licenses and integrity from the workspace lockfile, so that SBOM tools and image
// scanners (berth check --images, trivy, Amazon Inspector) still see them.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleLock } from './bundle-lock.mjs';

const { values, positionals } = parseArgs({
  options: { outdir: { type: 'string' } },
  allowPositionals: true,
});
if (!values.outdir || positionals.length === 0) {
  process.stderr.write('usage: node bundle-server.mjs --outdir DIR ENTRY...\n');
  process.exit(2);
}

const workspace = process.cwd();
const outdir = path.resolve(workspace, values.outdir);
// The package root of the bundle: the parent of outdir, so that the image's WORKDIR holds both.
const bundleRoot = path.dirname(outdir);
rmSync(bundleRoot, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: positionals,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Whitespace and syntax only: identifiers keep their names, so Fastify and its plugins still report
  // plugin names from function names and stack traces stay readable. esbuild's `keepNames` would do
  // that too, but it wraps every function it creates in a `__name()` call that redefines `name`,
  // closures made per request included: a profile (node --cpu-prof) showed it doubling the backend's
  // CPU time per request (examples/cruddur/backend/README.md, Performance).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; an ES module has none of its own.
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
});

const own = JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8'));
writeFileSync(
  path.join(bundleRoot, 'package.json'),
  `${JSON.stringify({ name: own.name, version: own.version, private: true, type: 'module' }, null, 2)}\n`,
);
writeFileSync(
  path.join(bundleRoot, 'package-lock.json'),
  `${JSON.stringify(bundleLock(workspace, Object.keys(result.metafile.inputs)), null, 2)}\n`,
);
