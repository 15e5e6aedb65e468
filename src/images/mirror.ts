import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { quiet, type ImageNotify } from './events.ts';
import type { Platform } from './platform.ts';
import {
  ecrCredentials,
  ecrRegistryOf,
  writeAuthFile,
  type EcrCredentialsSource,
  type RegistryCredentials,
} from './registry-auth.ts';
import { isLoopbackRegistry, run } from './run.ts';

export interface MirrorOptions {
  /** `registry/repo` to copy into. @default the config's ECR base repository (`<app>/base`) */
  readonly to?: string;
  /** Needed when `to` is omitted: the account, region and app name the ECR repository comes from. */
  readonly config?: ResolvedConfig;
  /** Credentials for the destination; for ECR they are fetched when omitted. */
  readonly credentials?: RegistryCredentials;
  /** How to get ECR credentials. @default GetAuthorizationToken with the default AWS credential chain */
  readonly ecrCredentials?: EcrCredentialsSource;
  /**
   * Only these platforms of a multi-platform base: each is copied by digest, and a new index of
   * them is written (so its digest is not the source's). @default every platform the source has
   */
  readonly platforms?: readonly Platform[];
  readonly notify?: ImageNotify;
}

export interface MirrorResult {
  /** The copy, pinned by digest: `registry/repo@sha256:...`, ready for BASE_IMAGE. */
  readonly ref: string;
  readonly digest: string;
  /** The human-readable tag it was also given (ECR tags are immutable, so each digest gets its own). */
  readonly tag: string;
  /** The platforms the copy holds, e.g. `linux/amd64`, `linux/arm64`; one for a single image. */
  readonly platforms: readonly string[];
  /** True when `ref` is an image index (manifest list) of `platforms`. */
  readonly index: boolean;
}

/**
 * Copies an image, every layer and (for a multi-arch list) every platform, byte for byte, into
 * a private repository with skopeo, and returns the copy pinned by digest. The digest is the
 * source's own: a pinned reference means the same content wherever it is pulled from.
 */
export async function mirrorImage(source: string, options: MirrorOptions = {}): Promise<MirrorResult> {
  const notify = options.notify ?? quiet;
  const destination = options.to ?? defaultDestination(options.config);
  if (/[@:][^/]*$/.test(destination.split('/').slice(1).join('/')))
    throw new BerthError(`--to ${destination} names a tag or digest; give only registry/repository`);
  const from = withTransport(source);
  // Before any AWS call: a mistyped reference is the user's to fix, not a credentials problem.
  if (from.startsWith('docker://') && !IMAGE_REFERENCE.test(from.slice('docker://'.length)))
    throw new UsageError(
      `'${source}' is not an image reference; write [registry/]name[:tag][@sha256:digest], e.g. docker.io/library/node:20-bookworm-slim`,
    );
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-mirror-'));
  try {
    // Credentials first: a missing AWS login fails before anything is read.
    const auth = await destinationAuth(destination, options, work);
    const srcTls = from.startsWith('docker://') ? [`--src-tls-verify=${!isLoopbackRegistry(from)}`] : [];
    const inspectTls = srcTls.map((f) => f.replace('--src-tls-verify', '--tls-verify'));
    const raw = await run('skopeo', ['inspect', '--raw', ...inspectTls, from]).catch((error: Error) => {
      throw new BerthError(`cannot read ${source}: ${error.message.split('\n').slice(-1)[0]}`, {
        cause: error,
      });
    });
    const digest = `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`;
    const manifest = JSON.parse(raw.stdout) as RawManifest;
    const instances = (manifest.manifests ?? []).filter((m) => m.platform?.os !== 'unknown');
    if (options.platforms && instances.length > 0) {
      const wanted = instances.filter((m) =>
        options.platforms!.includes(platformOfDescriptor(m) as Platform),
      );
      const missing = options.platforms.filter((p) => !wanted.some((m) => platformOfDescriptor(m) === p));
      if (missing.length > 0)
        throw new BerthError(
          `${source} has no ${missing.join(' or ')} image (it has ${instances.map(platformOfDescriptor).join(', ')}); mirror another base or drop --platform ${missing.join(',')}`,
        );
      if (wanted.length < instances.length)
        return await mirrorPlatforms(source, from, destination, manifest, wanted, srcTls, auth, work, notify);
    }
    const platforms = instances.length > 0 ? instances.map(platformOfDescriptor) : [];
    // A registry image is copied byte for byte; one from local storage gets compressed on the way,
    // which gives it a new digest.
    const preserve = from.startsWith('docker://');
    const tag = mirrorTag(source, digest);
    notify({
      level: 'info',
      code: 'mirror.copy',
      message: `copying ${source} to ${destination}:${tag}`,
      data: { source, destination, digest },
    });
    const digestFile = path.join(work, 'digest');
    await run('skopeo', [
      'copy',
      '--quiet',
      '--all',
      ...(preserve ? ['--preserve-digests'] : []),
      ...srcTls,
      `--dest-tls-verify=${!isLoopbackRegistry(destination)}`,
      ...(auth ? ['--dest-authfile', auth] : []),
      '--digestfile',
      digestFile,
      from,
      `docker://${destination}:${tag}`,
    ]);
    const copied = readFileSync(digestFile, 'utf8').trim();
    if (preserve && copied !== digest)
      throw new BerthError(
        `the copy of ${source} has digest ${copied}, not the source's ${digest}; the registry rewrote the manifest`,
      );
    const ref = `${destination}@${copied}`;
    notify({
      level: 'info',
      code: 'mirror.done',
      message: `mirrored ${source} as ${ref}${platforms.length > 0 ? ` (an index of ${platforms.join(', ')})` : ''}`,
      data: { ref },
    });
    return { ref, digest: copied, tag, platforms, index: instances.length > 0 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
}

interface RawManifest {
  readonly mediaType?: string;
  readonly manifests?: readonly Descriptor[];
}

function platformOfDescriptor(d: Descriptor): string {
  return [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/');
}

/**
 * Some platforms of an index: each image copied by digest (byte for byte, so its digest stays),
 * then a new index of just those put in the registry under the tag, by the registry API (skopeo
 * writes only whole indexes). Returns the new index pinned by its digest.
 */
async function mirrorPlatforms(
  source: string,
  from: string,
  destination: string,
  index: RawManifest,
  wanted: readonly Descriptor[],
  srcTls: readonly string[],
  auth: string | undefined,
  work: string,
  notify: ImageNotify,
): Promise<MirrorResult> {
  const bare = from.replace(/@sha256:[a-f0-9]{64}$/, '').replace(/:([^/:]+)$/, '');
  const platforms = wanted.map(platformOfDescriptor);
  for (const one of wanted) {
    const tag = mirrorTag(source, one.digest);
    notify({
      level: 'info',
      code: 'mirror.copy',
      message: `copying the ${platformOfDescriptor(one)} image of ${source} to ${destination}:${tag}`,
      data: { source, destination, digest: one.digest },
    });
    await run('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      ...srcTls,
      `--dest-tls-verify=${!isLoopbackRegistry(destination)}`,
      ...(auth ? ['--dest-authfile', auth] : []),
      `${bare}@${one.digest}`,
      `docker://${destination}:${tag}`,
    ]);
  }
  const body = JSON.stringify({ ...index, manifests: wanted });
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const tag = mirrorTag(source, digest);
  await putManifest(
    destination,
    tag,
    index.mediaType ?? 'application/vnd.oci.image.index.v1+json',
    body,
    auth,
  );
  const ref = `${destination}@${digest}`;
  notify({
    level: 'info',
    code: 'mirror.done',
    message: `mirrored ${platforms.join(', ')} of ${source} as ${ref}`,
    data: { ref },
  });
  return { ref, digest, tag, platforms, index: true };
}

/** PUT /v2/<repo>/manifests/<tag>, with the auth file's basic credentials (what ECR takes). */
async function putManifest(
  destination: string,
  tag: string,
  mediaType: string,
  body: string,
  authFile: string | undefined,
): Promise<void> {
  const [registry, ...repo] = destination.split('/');
  const scheme = isLoopbackRegistry(destination) ? 'http' : 'https';
  const auths = authFile
    ? (JSON.parse(readFileSync(authFile, 'utf8')) as { auths: Record<string, { auth: string }> }).auths
    : {};
  const basic = auths[registry!]?.auth;
  const response = await fetch(`${scheme}://${registry}/v2/${repo.join('/')}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType, ...(basic ? { authorization: `Basic ${basic}` } : {}) },
    body,
  });
  if (!response.ok)
    throw new BerthError(
      `${registry} refused the image index for ${repo.join('/')}:${tag} (HTTP ${response.status}: ${(await response.text()).slice(0, 200)})`,
    );
}

function defaultDestination(config: ResolvedConfig | undefined): string {
  if (!config)
    throw new BerthError('give --to <registry/repo>, or a config whose env names the ECR account and region');
  return `${config.env.account}.dkr.ecr.${config.env.region}.amazonaws.com/${names.baseRepository(config)}`;
}

/** The distribution reference grammar (github.com/distribution/reference): `[domain/]path[:tag][@digest]`. */
const IMAGE_REFERENCE = (() => {
  const label = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
  const domain = `(?:${label}(?:\\.${label})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const tag = '[\\w][\\w.-]{0,127}';
  const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
  return new RegExp(`^(?:${domain}/)?${component}(?:/${component})*(?::${tag})?(?:@${digest})?$`);
})();

/** A plain `name:tag` or `registry/name@digest` is a registry image; `oci:`, `docker-archive:` and the like pass through. */
function withTransport(source: string): string {
  return /^(docker|oci|oci-archive|docker-archive|docker-daemon|containers-storage|dir):/.test(source)
    ? source
    : `docker://${source}`;
}

/** `node-runtime-20.20.2-1a4f6bad756a`: the source's name and tag, and the digest's start, as ECR tags are immutable. */
export function mirrorTag(source: string, digest: string): string {
  const bare = source.replace(/^[a-z-]+:(\/\/)?/, '').split('@')[0]!;
  const last = bare.split('/').pop() ?? 'image';
  const [name, tag] = last.split(':');
  return `${[name, tag].filter(Boolean).join('-')}-${digest.slice('sha256:'.length, 'sha256:'.length + 12)}`
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 128);
}

/** An auth file for the destination (0600, removed afterwards), so no password is on a command line. */
async function destinationAuth(
  destination: string,
  options: MirrorOptions,
  work: string,
): Promise<string | undefined> {
  const ecr = ecrRegistryOf(destination);
  const credentials =
    options.credentials ??
    (ecr && (await (options.ecrCredentials ?? ecrCredentials)(ecr.registry, ecr.region)));
  return credentials ? writeAuthFile(work, [credentials]) : undefined;
}
