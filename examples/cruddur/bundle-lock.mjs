// The lockfile of a bundle: which npm packages went into bundled JavaScript, with versions,
// licenses and integrity from the workspace's own lockfile. A bundle has no node_modules, so SBOM
// tools and image scanners (berth check --images, trivy, Amazon Inspector) read this instead.
// Used by bundle-server.mjs (esbuild, the servers) and the frontend's vite.config.ts (the SPA).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * @param {string} workspace the workspace folder (its package.json names the bundle)
 * @param {Iterable<string>} inputs the files that went into the bundle, absolute or relative to `workspace`
 * @returns {object} a package-lock.json (v3) object
 */
export function bundleLock(workspace, inputs) {
  const own = JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8'));
  return lockOf(workspace, own, inputs);
}

/** A lockfile (v3) with the packages whose files the bundle contains. */
function lockOf(workspace, pkg, inputs) {
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
