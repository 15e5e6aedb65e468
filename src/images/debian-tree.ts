import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { BerthError } from '../shared/errors.ts';
import type { LayerEntry } from './oci-layout.ts';
import { run } from './run.ts';

/**
 * Debian packages of another architecture (arm64 on an x86_64 machine), downloaded with
 * `apt-get download` and unpacked with `dpkg -x` into one folder each: the files a base image of
 * that architecture is made of, without installing anything on this machine. Needs
 * `dpkg --add-architecture <arch> && apt-get update` first (.ci/run does it).
 */
export interface DebianTree {
  /** dpkg's architecture name: `arm64`, `amd64`. */
  readonly arch: string;
  /** GNU triplet of the libraries' folder, e.g. `aarch64-linux-gnu`. */
  readonly triplet: string;
  /** Every unpacked package with its version and dpkg status record. */
  readonly packages: ReadonlyMap<
    string,
    { readonly version: string; readonly root: string; readonly status: string }
  >;
}

const TRIPLETS: Readonly<Record<string, string>> = { arm64: 'aarch64-linux-gnu', amd64: 'x86_64-linux-gnu' };

/**
 * Downloads `packages` and what they depend on (Depends and Pre-Depends, recursively; packages of
 * this architecture only: `all` ones such as nginx-common are asked for by name) and unpacks each.
 */
export async function debianTree(
  work: string,
  arch: string,
  packages: readonly string[],
  options: { readonly closure?: boolean; readonly extra?: readonly string[] } = {},
): Promise<DebianTree> {
  const triplet = TRIPLETS[arch];
  if (!triplet) throw new BerthError(`berth makes base images for arm64 and amd64, not ${arch}`);
  const foreign = (await run('dpkg', ['--print-foreign-architectures']).catch(() => ({ stdout: '' }))).stdout;
  const native = (await run('dpkg', ['--print-architecture'])).stdout.trim();
  if (arch !== native && !foreign.split('\n').includes(arch))
    throw new BerthError(
      `dpkg does not know the ${arch} architecture, so its packages cannot be downloaded; run: dpkg --add-architecture ${arch} && apt-get update`,
    );
  const names = new Set<string>();
  for (const pkg of packages) names.add(`${pkg}:${arch}`);
  if (options.closure !== false) {
    const { stdout } = await run('apt-cache', [
      'depends',
      '--recurse',
      '--no-recommends',
      '--no-suggests',
      '--no-conflicts',
      '--no-breaks',
      '--no-replaces',
      '--no-enhances',
      ...packages.map((p) => `${p}:${arch}`),
    ]);
    for (const line of stdout.split('\n'))
      if (line.endsWith(`:${arch}`) && !line.startsWith(' ') && !line.startsWith('<')) names.add(line.trim());
  }
  for (const pkg of options.extra ?? []) names.add(pkg);
  const debs = path.join(work, 'debs');
  mkdirSync(debs, { recursive: true });
  await run('apt-get', ['download', '-qq', ...[...names].sort()], { cwd: debs }).catch((error: Error) => {
    throw new BerthError(
      `apt-get download of the ${arch} packages failed (${error.message.split('\n').find(Boolean) ?? ''}); run apt-get update, and dpkg --add-architecture ${arch} first`,
      { cause: error },
    );
  });
  const unpacked = new Map<string, { version: string; root: string; status: string }>();
  for (const deb of readdirSync(debs)
    .filter((f) => f.endsWith('.deb'))
    .sort()) {
    const file = path.join(debs, deb);
    const control = (await run('dpkg-deb', ['-f', file])).stdout;
    const name = /^Package: (.+)$/m.exec(control)?.[1]?.trim() ?? deb;
    const version = /^Version: (.+)$/m.exec(control)?.[1]?.trim() ?? '';
    const root = path.join(work, 'root', name);
    mkdirSync(root, { recursive: true });
    await run('dpkg', ['-x', file, root]);
    // A record like the distroless status.d ones, so that SBOM tools and scanners name the package.
    const status = control.replace(/^(Version: .*)$/m, 'Status: install ok installed\n$1');
    unpacked.set(name, { version: version.replace(/^\d+:/, ''), root, status });
  }
  return { arch, triplet, packages: unpacked };
}

/** The package's upstream version (`1.22.1` of `1.22.1-9+deb12u2`). */
export function upstreamVersion(tree: DebianTree, pkg: string): string {
  const found = tree.packages.get(pkg);
  if (!found) throw new BerthError(`the ${tree.arch} package ${pkg} was not downloaded`);
  return found.version.replace(/-[^-]*$/, '');
}

/** The files and symlinks of `packages` in the tree, at their paths in the image; docs, man pages and translations left out. */
export function treeFiles(tree: DebianTree, packages: readonly string[]): LayerEntry[] {
  const entries: LayerEntry[] = [];
  for (const pkg of packages) {
    const found = tree.packages.get(pkg);
    if (!found) throw new BerthError(`the ${tree.arch} package ${pkg} was not downloaded`);
    walk(found.root, '', entries);
  }
  return entries;
}

function walk(root: string, rel: string, out: LayerEntry[]): void {
  for (const name of readdirSync(path.join(root, rel))) {
    const p = path.posix.join(rel, name);
    if (p === 'usr/share') continue;
    const full = path.join(root, p);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) out.push({ type: 'symlink', path: p, target: readlinkSync(full) });
    else if (stat.isDirectory()) walk(root, p, out);
    else if (stat.isFile())
      out.push({ type: 'file', path: p, mode: stat.mode & 0o111 ? 0o755 : 0o644, source: full });
  }
}

/**
 * The shared libraries and the dynamic loader that `binaries` (files in the tree) need, found by
 * their ELF headers (`readelf`: NEEDED entries and the program interpreter), as ldd would list
 * them on a machine of that architecture; each at the path the loader looks for, with the content
 * its symlinks lead to.
 */
export async function treeLibraries(tree: DebianTree, binaries: readonly string[]): Promise<LayerEntry[]> {
  const dirs = [`lib/${tree.triplet}`, `usr/lib/${tree.triplet}`, 'lib', 'usr/lib'];
  const roots = [...tree.packages.values()].map((p) => p.root);
  const find = (name: string): { path: string; source: string } | undefined => {
    const rels = name.startsWith('/') ? [name.slice(1)] : dirs.map((d) => `${d}/${name}`);
    for (const rel of rels)
      for (const root of roots) {
        const full = path.join(root, rel);
        if (!existsSync(full)) continue;
        return { path: rel, source: resolveIn(root, full) };
      }
    return undefined;
  };
  const found = new Map<string, string>();
  const queue = [...binaries];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const binary = queue.shift()!;
    if (seen.has(binary)) continue;
    seen.add(binary);
    const { stdout } = await run('readelf', ['-d', '-l', '-W', binary]).catch(() => ({ stdout: '' }));
    const needed = [
      ...[...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!),
      ...[...stdout.matchAll(/Requesting program interpreter: ([^\]]+)\]/g)].map((m) => m[1]!),
    ];
    for (const name of needed) {
      const lib = find(name);
      if (!lib)
        throw new BerthError(
          `${path.basename(binary)} needs ${name}, which none of the downloaded ${tree.arch} packages has`,
        );
      if (!found.has(lib.path)) {
        found.set(lib.path, lib.source);
        queue.push(lib.source);
      }
    }
  }
  return [...found].map(([p, source]) => ({
    type: 'file' as const,
    path: p,
    mode: /\/ld-linux/.test(p) ? 0o755 : 0o644,
    source,
  }));
}

/** Follows symlinks inside one package's folder (an absolute target means the folder's root, not this machine's). */
function resolveIn(root: string, full: string): string {
  let current = full;
  for (let i = 0; i < 20; i++) {
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat?.isSymbolicLink()) return current;
    const target = readlinkSync(current);
    current = target.startsWith('/') ? path.join(root, target) : path.join(path.dirname(current), target);
  }
  return realpathSync(current);
}

/** The tree's dpkg records of `packages`, as distroless images keep them (/var/lib/dpkg/status.d/<package>). */
export function treeStatusFiles(tree: DebianTree, packages: readonly string[]): LayerEntry[] {
  return [...new Set(packages)].sort().flatMap((pkg) => {
    const found = tree.packages.get(pkg);
    return found
      ? [{ type: 'file' as const, path: `var/lib/dpkg/status.d/${pkg}`, mode: 0o644, content: found.status }]
      : [];
  });
}

/** The tree's packages that the `entries` were copied from (by their source folder). */
export function treeOwners(tree: DebianTree, entries: readonly LayerEntry[]): string[] {
  const owners = new Set<string>();
  for (const entry of entries) {
    if (entry.type !== 'file' || !('source' in entry)) continue;
    for (const [name, pkg] of tree.packages)
      if (entry.source.startsWith(`${pkg.root}${path.sep}`)) owners.add(name);
  }
  return [...owners];
}
