import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { requireService, type ResolvedConfig, type ResolvedService } from '../../config/index.ts';
import { buildImages, type BuildEngine, type BuiltImage } from '../../images/build.ts';
import { ecrCredentials, writeAuthFile, type RegistryCredentials } from '../../images/registry-auth.ts';
import { run } from '../../images/run.ts';
import { names } from '../../infra/naming.ts';
import { BerthError } from '../../shared/errors.ts';
import { clientConfig } from '../clients.ts';
import type { PublishedImage } from '../deploy/steps.ts';
import type { AwsNotify } from '../events.ts';

export interface PublishOptions {
  readonly config: ResolvedConfig;
  /** Only these services. @default every service with image.context */
  readonly services?: readonly string[];
  /** @default 'podman' */
  readonly engine?: BuildEngine;
  readonly notify: AwsNotify;
  readonly signal?: AbortSignal;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`, the config's private registry. */
export function ecrRegistry(config: ResolvedConfig): string {
  return `${config.env.account}.dkr.ecr.${config.env.region}.amazonaws.com`;
}

/**
 * Builds each service's image, tags it with the git commit of the config's repository, and pushes
 * it to the service's ECR repository. ECR's tags are immutable: a tag that is already there with
 * the same image is not pushed again (`pushed: false`), one with another image is refused, as ECR
 * would refuse the push, but before anything is sent and with the fix.
 */
export async function publishImages(options: PublishOptions): Promise<readonly PublishedImage[]> {
  const { config, notify } = options;
  for (const id of options.services ?? [])
    requireService(config, id, { flag: `--service ${id}`, built: true });
  const services = config.services.filter(
    (s) => s.image.kind === 'build' && (!options.services || options.services.includes(s.id)),
  );
  if (services.length === 0) return [];
  const registry = ecrRegistry(config);
  const aws = clientConfig(config);
  // Credentials first: a missing AWS login fails before minutes of building.
  notify({
    level: 'info',
    code: 'aws.publish.login',
    message: `logging in to ${registry}`,
    data: { registry },
  });
  const credentials = await ecrCredentials(registry, config.env.region, aws);
  const ecr = new ECRClient(aws);
  const published: PublishedImage[] = [];
  try {
    await requireRepositories(ecr, config, services);
    for (const service of services) {
      // Per service: the last commit that changed its build context, so a change to one service
      // tags (and pushes) only that one; the others rebuild the same image under the same tag.
      const source = await serviceSource(config, service);
      const tag = source.tag;
      const built = await build(options, service, tag, source);
      // Outside git there is no commit: the image's own id names it, so the same content always
      // gets the same tag and a changed image a new one (immutable tags stay satisfiable).
      const finalTag = tag ?? `build-${built.id.slice('sha256:'.length, 'sha256:'.length + 12)}`;
      if (!tag)
        notify({
          level: 'warn',
          code: 'aws.publish.tag',
          message: `${config.baseDir} is not in a git repository: tagging ${service.id} ${finalTag} (from the image id)`,
          data: { service: service.id, tag: finalTag },
        });
      published.push(await push(options, ecr, credentials, service, built, finalTag));
    }
  } finally {
    ecr.destroy();
  }
  return published;
}

interface SourceVersion {
  /** `<12-hex commit>` or `<commit>-dirty`; undefined outside git. */
  readonly tag?: string;
  readonly revision?: string;
  /** The commit's time: the images' `created` label, so an unchanged tree rebuilds the same image. */
  readonly created?: Date;
}

/**
 * The git commit of the config's repository, `-dirty` when the tree has uncommitted changes. With
 * `paths`, the last commit that changed any of them (and dirty only for changes under them): the
 * image of a service whose sources did not change keeps its tag, revision and created time, so it
 * rebuilds to the same image and is not pushed again.
 */
export async function sourceVersion(dir: string, paths: readonly string[] = ['.']): Promise<SourceVersion> {
  const git = async (args: readonly string[]) => (await run('git', ['-C', dir, ...args])).stdout.trim();
  try {
    await git(['rev-parse', '--verify', '--quiet', 'HEAD']);
  } catch {
    return {};
  }
  // Empty when no commit touched the paths yet (new, untracked sources): HEAD then, and dirty.
  const [revision, created] = (await git(['log', '-1', '--format=%H%n%cI', 'HEAD', '--', ...paths])).split(
    '\n',
  );
  const last = revision ? { revision, created: created! } : undefined;
  const head = last ?? {
    revision: await git(['rev-parse', 'HEAD']),
    created: await git(['log', '-1', '--format=%cI']),
  };
  const dirty = (await git(['status', '--porcelain', '--untracked-files=normal', '--', ...paths])) !== '';
  const short = head.revision.slice(0, 12);
  return {
    tag: dirty ? `${short}-dirty` : short,
    revision: head.revision,
    created: new Date(head.created),
  };
}

/**
 * What a service's image is built from: the last commit that changed its build context, and the
 * tag publish gives it (`berth diff` compares that tag with the deployed image's tags).
 */
export async function serviceSource(
  config: ResolvedConfig,
  service: ResolvedService,
): Promise<SourceVersion> {
  if (service.image.kind !== 'build') return {};
  const source = await sourceVersion(config.baseDir, [service.image.context]);
  return source.tag ? { ...source, tag: `${source.tag}${argsSuffix(service)}` } : source;
}

/**
 * Build args live in the config, not in the context: a short hash of them in the tag, so changed
 * args make a new tag instead of a clash with the image already under the commit's tag.
 */
function argsSuffix(service: ResolvedService): string {
  const args = service.image.kind === 'build' ? service.image.args : {};
  const keys = Object.keys(args).sort();
  if (keys.length === 0) return '';
  const json = JSON.stringify(keys.map((k) => [k, args[k]]));
  return `-a${createHash('sha256').update(json).digest('hex').slice(0, 8)}`;
}

async function build(
  options: PublishOptions,
  service: ResolvedService,
  tag: string | undefined,
  source: SourceVersion,
): Promise<BuiltImage> {
  const [built] = await buildImages(options.config, {
    services: [service.id],
    ...(options.engine ? { engine: options.engine } : {}),
    ...(tag ? { tag } : {}),
    ...(source.revision ? { revision: source.revision } : {}),
    ...(source.created ? { created: source.created } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    notify: (event) =>
      options.notify({
        level: event.level,
        code: 'aws.publish.build',
        message: event.message,
        data: { ...event.data, step: event.code },
      }),
  });
  return built!;
}

async function push(
  options: PublishOptions,
  ecr: ECRClient,
  credentials: RegistryCredentials,
  service: ResolvedService,
  built: BuiltImage,
  tag: string,
): Promise<PublishedImage> {
  const { config, notify } = options;
  const repositoryName = names.repository(config, service);
  const repositoryUri = `${ecrRegistry(config)}/${repositoryName}`;
  const existing = await imageUnderTag(ecr, repositoryName, tag);
  if (existing) {
    if (existing.configDigest !== built.id)
      throw new BerthError(
        `${repositoryUri}:${tag} already holds another image (${existing.digest}) and ECR tags are immutable; commit your changes (a new commit is a new tag) and publish again`,
      );
    notify({
      level: 'info',
      code: 'aws.publish.skip',
      message: `${service.id}: ${repositoryUri}:${tag} is already pushed (${existing.digest})`,
      data: { service: service.id, repositoryUri, tag, digest: existing.digest },
    });
    return { service: service.id, repositoryUri, tag, digest: existing.digest, pushed: false };
  }
  notify({
    level: 'info',
    code: 'aws.publish.push',
    message: `${service.id}: pushing ${repositoryUri}:${tag}`,
    data: { service: service.id, repositoryUri, tag },
  });
  const started = Date.now();
  const digest = await copyToRegistry(options, credentials, built.ref, `${repositoryUri}:${tag}`);
  notify({
    level: 'info',
    code: 'aws.publish.pushed',
    message: `${service.id}: pushed ${repositoryUri}@${digest} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    data: { service: service.id, repositoryUri, tag, digest },
  });
  return { service: service.id, repositoryUri, tag, digest, pushed: true };
}

/** Every repository must exist before minutes of building: the registry stack makes them. */
async function requireRepositories(
  ecr: ECRClient,
  config: ResolvedConfig,
  services: readonly ResolvedService[],
): Promise<void> {
  for (const service of services) {
    const repositoryName = names.repository(config, service);
    try {
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    } catch (error) {
      if (!(error instanceof RepositoryNotFoundException)) throw error;
      throw new BerthError(
        `ECR repository ${repositoryName} does not exist in ${config.env.account}/${config.env.region}; deploy the registry stack first (berth deploy creates it)`,
        { cause: error },
      );
    }
  }
}

/**
 * The image ECR holds under a tag: its manifest digest, and the digest of its config, which is the
 * local image id of the build that made it (a push recompresses layers, so the manifest digest
 * of a local image is only known after pushing it).
 */
async function imageUnderTag(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
): Promise<{ digest: string; configDigest: string | undefined } | undefined> {
  try {
    await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
  } catch (error) {
    if (error instanceof ImageNotFoundException) return undefined;
    throw error;
  }
  const response = await ecr.send(
    new BatchGetImageCommand({
      repositoryName,
      imageIds: [{ imageTag: tag }],
      acceptedMediaTypes: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
      ],
    }),
  );
  const image = response.images?.[0];
  if (!image?.imageId?.imageDigest) return undefined;
  let configDigest: string | undefined;
  try {
    configDigest = (JSON.parse(image.imageManifest ?? '{}') as { config?: { digest?: string } }).config
      ?.digest;
  } catch {
    configDigest = undefined;
  }
  return { digest: image.imageId.imageDigest, configDigest };
}

/** skopeo copies from the engine's storage to the registry and reports the manifest digest it pushed. */
async function copyToRegistry(
  options: PublishOptions,
  credentials: RegistryCredentials,
  local: string,
  destination: string,
): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-publish-'));
  try {
    // An auth file (0600, removed afterwards) keeps the password off the command line.
    const authfile = writeAuthFile(work, [credentials]);
    const digestfile = path.join(work, 'digest');
    const from = options.engine === 'docker' ? `docker-daemon:${local}` : `containers-storage:${local}`;
    await run(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--dest-authfile',
        authfile,
        '--digestfile',
        digestfile,
        from,
        `docker://${destination}`,
      ],
      options.signal ? { signal: options.signal } : {},
    ).catch((error: Error) => {
      throw new BerthError(
        `pushing ${destination} failed: ${error.message.trim().split('\n').slice(-1)[0]}`,
        {
          cause: error,
        },
      );
    });
    return readFileSync(digestfile, 'utf8').trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
