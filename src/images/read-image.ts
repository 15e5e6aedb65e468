import { createHash } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { BerthError } from '../shared/errors.ts';
import type { FileType, ImageConfig, ImageFile, ImageLayer, ImageModel } from './model.ts';
import { ELF_MACHINES, ociArchitecture, type Platform } from './platform.ts';
import { isLoopbackRegistry, run } from './run.ts';

/** Where an image lives: a local engine's storage, or a registry. */
export type ImageStore = 'podman' | 'docker' | 'registry';

/** Text files worth keeping in the model: users, the OS, Debian and npm package records. */
const TEXT_FILES = [
  /^\/etc\/(passwd|group|os-release)$/,
  /^\/usr\/lib\/os-release$/,
  /^\/var\/lib\/dpkg\/status$/,
  /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/,
  /\/package\.json$/,
  /\/package-lock\.json$/,
];
const MAX_TEXT_BYTES = 8 * 1024 * 1024;

/**
 * Reads an image: copies it with skopeo into a `dir:` layout (gzip layers, so the sizes are what a
 * registry stores) and walks its layers. The `dir:` transport keeps the engine's own config, whose
 * HEALTHCHECK a conversion to an OCI layout would drop.
 */
export async function readImage(options: {
  readonly store: ImageStore;
  readonly ref: string;
  readonly name?: string;
  /** Of an image index, the image for this platform. @default this machine's */
  readonly platform?: Platform;
}): Promise<ImageModel> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-image-'));
  try {
    await exportImage(options.store, options.ref, dir, options.platform);
    return await readImageDir(dir, { ref: options.ref, name: options.name ?? options.ref });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exportImage(store: ImageStore, ref: string, dir: string, platform?: Platform): Promise<void> {
  const source =
    store === 'podman'
      ? `containers-storage:${ref}`
      : store === 'docker'
        ? `docker-daemon:${ref}`
        : `docker://${ref}`;
  const tls = store === 'registry' ? [`--src-tls-verify=${!isLoopbackRegistry(ref)}`] : [];
  try {
    // --override-arch picks one image of an index; a single image is copied whatever it is.
    const pick = platform ? ['--override-os', 'linux', '--override-arch', ociArchitecture(platform)] : [];
    await run('skopeo', [...pick, 'copy', '--quiet', '--dest-compress', ...tls, source, `dir:${dir}`]);
  } catch (error) {
    if (
      error instanceof Error &&
      /does not exist|not known|no such image|manifest unknown|not found|does not resolve to an image|identifier is not an image/i.test(
        error.message,
      )
    )
      throw new BerthError(
        `image ${ref} is not in ${store === 'registry' ? 'the registry' : `${store}'s storage`}; build it first (berth build)`,
        {
          cause: error,
        },
      );
    throw error;
  }
}

interface ManifestV2 {
  readonly config: { readonly digest: string };
  readonly layers: readonly { readonly digest: string; readonly size: number }[];
}

/** Builds the model from a skopeo `dir:` layout. */
export async function readImageDir(
  dir: string,
  names: { readonly ref: string; readonly name: string },
): Promise<ImageModel> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ManifestV2;
  const blob = (digest: string) => path.join(dir, digest.replace(/^sha256:/, ''));
  const rawConfig = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as RawImageConfig;
  const files = new Map<string, ImageFile>();
  const texts = new Map<string, string>();
  const layers: ImageLayer[] = [];
  for (const layer of manifest.layers) {
    const { entries, uncompressedSize } = await readLayer(blob(layer.digest));
    applyLayer(files, texts, entries);
    layers.push({ digest: layer.digest, compressedSize: layer.size, uncompressedSize });
  }
  return {
    name: names.name,
    ref: names.ref,
    id: manifest.config.digest,
    config: toConfig(rawConfig.config ?? rawConfig.container_config ?? {}),
    platform: {
      os: rawConfig.os ?? 'unknown',
      architecture: rawConfig.architecture ?? 'unknown',
      ...(rawConfig.variant ? { variant: rawConfig.variant } : {}),
    },
    files,
    texts,
    layers,
  };
}

interface RawImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly config?: RawContainerConfig;
  readonly container_config?: RawContainerConfig;
}

interface RawContainerConfig {
  readonly User?: string;
  readonly Env?: string[] | null;
  readonly Entrypoint?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly WorkingDir?: string;
  readonly Labels?: Record<string, string> | null;
  readonly ExposedPorts?: Record<string, unknown> | null;
  readonly StopSignal?: string;
  readonly Healthcheck?: { readonly Test?: string[] | null; readonly Interval?: number } | null;
}

function toConfig(raw: RawContainerConfig): ImageConfig {
  const test = raw.Healthcheck?.Test ?? [];
  return {
    user: raw.User ?? '',
    env: raw.Env ?? [],
    entrypoint: raw.Entrypoint ?? [],
    cmd: raw.Cmd ?? [],
    workingDir: raw.WorkingDir || '/',
    labels: raw.Labels ?? {},
    exposedPorts: Object.keys(raw.ExposedPorts ?? {}),
    ...(raw.StopSignal ? { stopSignal: raw.StopSignal } : {}),
    ...(test.length > 0
      ? {
          healthcheck: {
            test,
            ...(raw.Healthcheck?.Interval ? { intervalSeconds: raw.Healthcheck.Interval / 1e9 } : {}),
          },
        }
      : {}),
  };
}

/** One tar entry of a layer, with its text when it is one of the files the model keeps. */
export interface LayerFile {
  readonly file: ImageFile;
  readonly text?: string;
}

/** Reads one layer's tar (gzip or plain), hashing regular files and keeping the interesting texts. */
async function readLayer(file: string): Promise<{ entries: LayerFile[]; uncompressedSize: number }> {
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) === 0x28b52ffd)
    throw new BerthError(
      `layer ${path.basename(file)} is zstd-compressed, which berth cannot read yet; build with gzip layers`,
    );
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let uncompressedSize = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      uncompressedSize += chunk.length;
      done(null, chunk);
    },
  });
  const entries: LayerFile[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = normalize(header.name);
    const hash =
      header.type === 'file' || header.type === 'contiguous-file' ? createHash('sha256') : undefined;
    const keep = hash && (header.size ?? 0) <= MAX_TEXT_BYTES && TEXT_FILES.some((re) => re.test(name));
    const chunks: Buffer[] = [];
    let head: Buffer | undefined;
    const version = hash && path.posix.basename(name) === 'node' ? nodeVersionScanner() : undefined;
    stream.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      hash?.update(chunk);
      if (keep) chunks.push(chunk);
      if (hash && !head) head = chunk.subarray(0, 20);
      version?.scan(chunk);
    });
    stream.on('end', () => {
      entries.push({
        file: {
          path: name,
          type: fileType(header.type),
          mode: (header.mode ?? 0) & 0o7777,
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          size: header.size ?? 0,
          ...(header.linkname
            ? { linkTarget: header.type === 'link' ? normalize(header.linkname) : header.linkname }
            : {}),
          ...(hash ? { sha256: hash.digest('hex') } : {}),
          ...(head && elfMachine(head) ? { machine: elfMachine(head) } : {}),
          ...(version?.found() ? { nodeVersion: version.found() } : {}),
        },
        ...(keep ? { text: Buffer.concat(chunks).toString('utf8') } : {}),
      });
      next();
    });
    stream.resume();
  });
  // tar-stream's extractor is a streamx stream, which node's pipeline accepts but does not type.
  const sink = extract as unknown as NodeJS.WritableStream;
  const source = createReadStream(file);
  await (gzip ? pipeline(source, createGunzip(), count, sink) : pipeline(source, count, sink)).catch(
    (error: Error) => {
      throw new BerthError(`cannot read layer ${path.basename(file)}: ${error.message}`, {
        cause: error,
      });
    },
  );
  return { entries, uncompressedSize };
}

/** The architecture of an ELF file from its first 20 bytes (e_machine, little-endian), or undefined. */
export function elfMachine(head: Buffer): string | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
}

/**
 * Finds a Node.js binary's version without running it (it may be for another CPU): every release
 * build embeds its download URL, `https://nodejs.org/download/release/vX.Y.Z/` (process.release).
 */
export function nodeVersionScanner(): { scan(chunk: Buffer): void; found(): string | undefined } {
  const pattern = /nodejs\.org\/download\/release\/v(\d+\.\d+\.\d+)\//;
  let tail = '';
  let version: string | undefined;
  return {
    scan(chunk) {
      if (version) return;
      // latin1 maps bytes one to one; the tail carries a URL split across two chunks.
      const text = tail + chunk.toString('latin1');
      version = pattern.exec(text)?.[1];
      tail = text.slice(-80);
    },
    found: () => version,
  };
}

/** Applies a layer on top of the tree below it: whiteouts first (they only hide lower layers), then its files. */
function applyLayer(
  files: Map<string, ImageFile>,
  texts: Map<string, string>,
  entries: readonly LayerFile[],
): void {
  const remove = (p: string, keepSelf: boolean) => {
    for (const key of [...files.keys()]) {
      if ((!keepSelf && key === p) || key.startsWith(`${p === '/' ? '' : p}/`)) {
        files.delete(key);
        texts.delete(key);
      }
    }
  };
  for (const { file } of entries) {
    const base = path.posix.basename(file.path);
    const dir = path.posix.dirname(file.path);
    if (base === '.wh..wh..opq') remove(dir, true);
    else if (base.startsWith('.wh.')) remove(path.posix.join(dir, base.slice(4)), false);
  }
  for (const { file, text } of entries) {
    if (path.posix.basename(file.path).startsWith('.wh.')) continue;
    const previous = files.get(file.path);
    // A directory entry over a non-directory replaces it; a file over a directory removes its contents.
    if (previous?.type === 'directory' && file.type !== 'directory') remove(file.path, false);
    files.set(file.path, file);
    if (text !== undefined) texts.set(file.path, text);
    else texts.delete(file.path);
  }
}

function normalize(name: string): string {
  const clean = path.posix.normalize(`/${name}`).replace(/\/+$/, '');
  return clean === '' ? '/' : clean;
}

function fileType(type: tar.Header['type']): FileType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}
