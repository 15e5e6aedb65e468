import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

/** One entry of a layer: a file copied from this machine or given inline, a directory or a symlink. */
export type LayerEntry =
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly source: string }
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly content: string | Buffer }
  | { readonly type: 'directory'; readonly path: string; readonly mode: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

export interface WrittenLayer {
  /** sha256 of the gzipped tar: the blob's name. */
  readonly digest: string;
  /** sha256 of the tar itself: the config's diff_id. */
  readonly diffId: string;
  readonly size: number;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * Writes a gzipped tar layer into an OCI layout's blobs. Entries are sorted, owned by root and
 * dated 1970, so the same files give the same digest on every run: a base made twice from the
 * same Node.js is the same image.
 */
export async function writeLayer(layoutDir: string, entries: readonly LayerEntry[]): Promise<WrittenLayer> {
  const blobs = path.join(layoutDir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const pack = tar.pack();
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  const temp = path.join(blobs, `.layer-${process.pid}-${Date.now()}`);
  const tap = (hash: ReturnType<typeof createHash>) =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
  const written = pipeline(
    pack,
    tap(diffHash),
    createGzip({ level: 6 }),
    tap(blobHash),
    createWriteStream(temp),
  );
  for (const entry of withParents(entries)) await addEntry(pack, entry);
  pack.finalize();
  await written;
  const digest = `sha256:${blobHash.digest('hex')}`;
  renameSync(temp, path.join(blobs, digest.slice('sha256:'.length)));
  return {
    digest,
    diffId: `sha256:${diffHash.digest('hex')}`,
    size: statSync(path.join(blobs, digest.slice(7))).size,
  };
}

/** Writes a JSON blob (config or manifest) and returns its descriptor. */
export function writeJsonBlob(
  layoutDir: string,
  mediaType: string,
  value: unknown,
): { mediaType: string; digest: string; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const blobs = path.join(layoutDir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(path.join(blobs, digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Adds an image to an OCI layout (creating index.json and oci-layout), its manifest named `tag`. */
export function writeImageLayout(
  layoutDir: string,
  tag: string,
  config: unknown,
  layers: readonly WrittenLayer[],
): { mediaType: string; digest: string; size: number } {
  const configDescriptor = writeJsonBlob(layoutDir, OCI_CONFIG, config);
  const manifest = writeJsonBlob(layoutDir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDescriptor,
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
  });
  addToLayoutIndex(layoutDir, tag, manifest);
  return manifest;
}

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Adds an image index (one manifest per platform, already in the layout) to an OCI layout, named `tag`. */
export function writeImageIndex(
  layoutDir: string,
  tag: string,
  manifests: readonly {
    mediaType: string;
    digest: string;
    size: number;
    platform: { architecture: string; os: string };
  }[],
): { mediaType: string; digest: string; size: number } {
  const index = writeJsonBlob(layoutDir, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  addToLayoutIndex(layoutDir, tag, index);
  return index;
}

function addToLayoutIndex(
  layoutDir: string,
  tag: string,
  descriptor: { mediaType: string; digest: string; size: number },
): void {
  const indexFile = path.join(layoutDir, 'index.json');
  const index = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: unknown[] })
    : { schemaVersion: 2, manifests: [] as unknown[] };
  index.manifests.push({ ...descriptor, annotations: { 'org.opencontainers.image.ref.name': tag } });
  writeFileSync(path.join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(indexFile, JSON.stringify(index));
}

/** Adds every missing parent directory (0755) and sorts, so that a tar never names a file before its folder. */
function withParents(entries: readonly LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const entry of entries) byPath.set(clean(entry.path), { ...entry, path: clean(entry.path) });
  for (const p of [...byPath.keys()]) {
    for (let dir = path.posix.dirname(p); dir !== '.' && dir !== '/'; dir = path.posix.dirname(dir)) {
      if (!byPath.has(dir)) byPath.set(dir, { type: 'directory', path: dir, mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function clean(p: string): string {
  return path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
}

const EPOCH = new Date(0);

function addEntry(pack: tar.Pack, entry: LayerEntry): Promise<void> {
  const common = { name: entry.path, uid: 0, gid: 0, uname: '', gname: '', mtime: EPOCH };
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (entry.type === 'directory') {
      pack.entry({ ...common, name: `${entry.path}/`, type: 'directory', mode: entry.mode }, done);
    } else if (entry.type === 'symlink') {
      pack.entry({ ...common, type: 'symlink', linkname: entry.target, mode: 0o777 }, done);
    } else if ('content' in entry) {
      pack.entry({ ...common, type: 'file', mode: entry.mode }, Buffer.from(entry.content), done);
    } else {
      const size = statSync(entry.source).size;
      const sink = pack.entry({ ...common, type: 'file', mode: entry.mode, size }, done);
      createReadStream(entry.source).once('error', reject).pipe(sink);
    }
  });
}
