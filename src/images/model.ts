/** What berth knows about one image: its config, its merged file tree and its layers. Rules read only this. */
export interface ImageModel {
  /** The service this image belongs to, or the reference it was read from. */
  readonly name: string;
  /** The reference it was read from, e.g. `localhost/cruddur/backend:latest`. */
  readonly ref: string;
  /** The image id: the digest of its config, the same on every registry it is copied to. */
  readonly id: string;
  readonly config: ImageConfig;
  /** What the image's config says it runs on. The binaries' own architecture is on each file (`machine`). */
  readonly platform: ImagePlatform;
  /** The root filesystem as a container sees it: every layer applied in order, whiteouts honoured. */
  readonly files: ReadonlyMap<string, ImageFile>;
  /** Contents of the small text files that describe the image (passwd, os-release, package manifests). */
  readonly texts: ReadonlyMap<string, string>;
  readonly layers: readonly ImageLayer[];
}

export interface ImagePlatform {
  readonly os: string;
  /** OCI names: `amd64`, `arm64`. */
  readonly architecture: string;
  readonly variant?: string;
}

export interface ImageConfig {
  /** `USER`, as written: `1000:1000`, `app`, or empty for root. */
  readonly user: string;
  readonly env: readonly string[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly workingDir: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly string[];
  readonly stopSignal?: string;
  /** `HEALTHCHECK`, when the image has one (Docker image format only: OCI has no such field). */
  readonly healthcheck?: { readonly test: readonly string[]; readonly intervalSeconds?: number };
}

export type FileType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface ImageFile {
  /** Absolute path inside the image, e.g. `/usr/bin/node`. */
  readonly path: string;
  readonly type: FileType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Symlink or hardlink target. */
  readonly linkTarget?: string;
  /** SHA-256 of a regular file's content. */
  readonly sha256?: string;
  /** For an ELF binary or library: the architecture its machine code is for (`amd64`, `arm64`). */
  readonly machine?: string;
  /** For a Node.js binary (a file named `node`): its version, e.g. `24.11.1`, read from the release URL it embeds. */
  readonly nodeVersion?: string;
}

export interface ImageLayer {
  readonly digest: string;
  /** Bytes as stored in a registry (gzip). */
  readonly compressedSize: number;
  /** Bytes of the tar itself. */
  readonly uncompressedSize: number;
}

export function compressedSize(image: ImageModel): number {
  return image.layers.reduce((sum, l) => sum + l.compressedSize, 0);
}

export function uncompressedSize(image: ImageModel): number {
  return image.layers.reduce((sum, l) => sum + l.uncompressedSize, 0);
}

/** The value of `NAME` in the image's environment. */
export function envValue(image: ImageModel, name: string): string | undefined {
  const entry = image.config.env.find((e) => e.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** The image's OCI platform, e.g. `linux/arm64`. */
export function platformName(image: ImageModel): string {
  const p = image.platform;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
