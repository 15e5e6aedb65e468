// Bundles a workspace's server entry points into single ES module files for its container image:
//
//   node ../bundle-server.mjs --outdir bundle/dist src/server.ts src/healthcheck.ts
//
// The image then needs no node_modules, no npm and no install step: one file per entry point,
// pure JavaScript, the same on every platform. Beside the files it writes bundle/package.json
// (type module) and bundle/package-lock.json naming every npm package that went into the bundle,
// with versions, licenses and integrity from the workspace lockfile, so that SBOM tools and image
// scanners (berth check --images, trivy, Amazon Inspector) still see them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

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
  minify: true,
  // Fastify and its plugins report plugin names from function names.
  keepNames: true,
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
  `${JSON.stringify(lockOf(own, Object.keys(result.metafile.inputs)), null, 2)}\n`,
);

/** A lockfile (v3) with the packages whose files the bundle contains. */
function lockOf(pkg, inputs) {
  const workspaceLock = findWorkspaceLock(workspace);
  const packages = { '': { name: pkg.name, version: pkg.version } };
  for (const input of inputs) {
    const dir = packageDir(path.resolve(workspace, input));
    if (!dir) continue;
    const key = dir
      .slice(dir.indexOf(`${path.sep}node_modules${path.sep}`) + 1)
      .split(path.sep)
      .join('/');
    if (packages[key]) continue;
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const locked = workspaceLock?.entries[path.relative(workspaceLock.dir, dir).split(path.sep).join('/')];
    packages[key] = {
      name: manifest.name,
      version: manifest.version,
      ...(locked?.resolved ? { resolved: locked.resolved } : {}),
      ...(locked?.integrity ? { integrity: locked.integrity } : {}),
      ...(typeof manifest.license === 'string' ? { license: manifest.license } : {}),
    };
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)));
  return { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: sorted };
}

/** The directory of the npm package that holds `file`, or undefined for the workspace's own sources. */
function packageDir(file) {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(path.sep);
  const name = rest[0]?.startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1);
  return path.join(file.slice(0, at + marker.length - 1), ...name);
}

/** The nearest package-lock.json above the workspace: where npm recorded what it installed. */
function findWorkspaceLock(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package-lock.json');
    if (existsSync(file)) return { dir, entries: JSON.parse(readFileSync(file, 'utf8')).packages ?? {} };
    if (path.dirname(dir) === dir) return undefined;
  }
}
