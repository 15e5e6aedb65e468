import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireService, type ResolvedConfig, type ResolvedService } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { ToolFailedError } from './errors.ts';
import { quiet, type ImageNotify } from './events.ts';
import { ociArchitecture, platformOf, requireEmulation, type Platform } from './platform.ts';
import { ecrCredentials, ecrRegistryOf, type EcrCredentialsSource } from './registry-auth.ts';
import { isLoopbackRegistry, run } from './run.ts';

export const BUILD_ENGINES = ['podman', 'docker'] as const;
export type BuildEngine = (typeof BUILD_ENGINES)[number];
export const DEFAULT_BUILD_ENGINE: BuildEngine = 'podman';
/** The tag of local images, for `berth build`, `berth check --images` and `berth up --engine podman`. */
export const DEFAULT_IMAGE_TAG = 'latest';

/** BUILD_IMAGE and BASE_IMAGE for every service, and per service by id. */
export interface BaseImageChoice extends ServiceBaseImages {
  readonly services?: Readonly<Record<string, ServiceBaseImages>>;
}

export interface ServiceBaseImages {
  /** BUILD_IMAGE: the build stage's base. */
  readonly build?: string;
  /** BASE_IMAGE: the runtime base. */
  readonly runtime?: string;
}

export interface BuildImagesOptions {
  /** @default 'podman' */
  readonly engine?: BuildEngine;
  /** Tag of the local images. @default 'latest' */
  readonly tag?: string;
  /**
   * Base images pinned by digest; they win over the config's image.args and the Containerfile's
   * defaults. `build` becomes BUILD_IMAGE, `runtime` BASE_IMAGE, for every service unless
   * `services` names other bases for it (a frontend served by nginx next to a Node.js backend).
   * @example { build: 'REG/node-build@sha256:…', runtime: 'REG/node-runtime@sha256:…',
   *            services: { frontend: { build: 'REG/c-build@sha256:…', runtime: 'REG/nginx-runtime@sha256:…' } } }
   */
  readonly baseImages?: BaseImageChoice;
  /** Build arguments over the config's `image.args` (`baseImages` still win). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Where each build's output goes, as `build-<service>.log`. @default not kept */
  readonly logDir?: string;
  /** Ends the build in progress when aborted. */
  readonly signal?: AbortSignal;
  /**
   * The platforms to build each image for. One: the image is tagged `<tag>`. Several: each is
   * tagged `<tag>-<arch>` (`latest-arm64`) and `<tag>` names an image index (manifest list) of
   * them, what a registry serves to both kinds of task. @default each service's `architecture`
   */
  readonly platforms?: readonly Platform[];
  /** Only these services. @default every service with image.context */
  readonly services?: readonly string[];
  /** OCI labels; read from git and the clock when omitted. */
  readonly revision?: string;
  readonly source?: string;
  readonly created?: Date;
  /**
   * Keep the engine's layer cache (faster rebuilds). Off, podman leaves no intermediate images
   * behind, as tests want. @default true
   */
  readonly cache?: boolean;
  /**
   * How to log in to ECR for bases in a private ECR repository (`berth mirror`'s copies).
   * @default GetAuthorizationToken with the default AWS credential chain
   */
  readonly ecrCredentials?: EcrCredentialsSource;
  readonly notify?: ImageNotify;
}

export interface BuiltImage {
  readonly service: string;
  /** Local reference, e.g. `localhost/cruddur/backend:latest`: the image, or the index of several platforms. */
  readonly ref: string;
  /** Image id (config digest); the index's id when there are several platforms. */
  readonly id: string;
  readonly seconds: number;
  /** One image per platform built (just one when `ref` is the image itself). */
  readonly images: readonly PlatformImageRef[];
}

export interface PlatformImageRef {
  readonly platform: Platform;
  /** `ref` itself, or `<tag>-<arch>` when there are several platforms. */
  readonly ref: string;
  readonly id: string;
}

/** The local reference `berth build` tags a service's image with, and `berth check --images` reads. */
export function localImageRef(
  config: ResolvedConfig,
  service: ResolvedService,
  tag = DEFAULT_IMAGE_TAG,
  platform?: Platform,
): string {
  return `localhost/${names.repository(config, service)}:${platform ? platformTag(tag, platform) : tag}`;
}

/** The tag of one platform's image in a multi-platform build: `latest-arm64`. */
export function platformTag(tag: string, platform: Platform): string {
  return `${tag}-${ociArchitecture(platform)}`;
}

/**
 * Builds every service that has `image.context`, with podman (Docker image format, so that
 * HEALTHCHECK is kept) or docker. Bases on loopback registries are pulled over plain HTTP.
 */
export async function buildImages(
  config: ResolvedConfig,
  options: BuildImagesOptions = {},
): Promise<BuiltImage[]> {
  const engine = options.engine ?? DEFAULT_BUILD_ENGINE;
  const notify = options.notify ?? quiet;
  const services = config.services.filter(
    (s) => s.image.kind === 'build' && (!options.services || options.services.includes(s.id)),
  );
  for (const id of options.services ?? []) requireService(config, id, { flag: `--service ${id}` });
  checkBaseImageServices(config, options.baseImages);
  // A RUN step of another platform needs emulation; without it podman fails deep in the build
  // with `exec format error`. Said first, with the commands that set it up.
  for (const service of services)
    for (const platform of options.platforms ?? [platformOf(service.architecture)])
      requireEmulation(platform);
  const labels = {
    REVISION: options.revision ?? (await git(config.baseDir, ['rev-parse', 'HEAD'])) ?? 'unknown',
    SOURCE: withoutCredentials(
      options.source ?? (await git(config.baseDir, ['config', '--get', 'remote.origin.url'])) ?? 'unknown',
    ),
    CREATED: (options.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const argsOf = (service: ResolvedService): Record<string, string> => {
    const bases = basesFor(service.id, options.baseImages);
    return {
      ...labels,
      ...(service.image.kind === 'build' ? service.image.args : {}),
      ...options.buildArgs,
      ...(bases.build ? { BUILD_IMAGE: bases.build } : {}),
      ...(bases.runtime ? { BASE_IMAGE: bases.runtime } : {}),
    };
  };
  // Bases in a private ECR repository (berth mirror's copies) are pulled with ECR's login. The
  // engine logs in as AWS documents it (`login --password-stdin`), into the user's own auth store,
  // so their other logins, contexts and credential helpers stay as they are. A failed login is a
  // warning: the base may be pulled already, or the engine logged in by other means.
  const ecrBases = new Map<string, string>();
  for (const service of services)
    for (const base of [argsOf(service).BUILD_IMAGE, argsOf(service).BASE_IMAGE]) {
      const ecr = base === undefined ? undefined : ecrRegistryOf(base);
      if (ecr) ecrBases.set(ecr.registry, ecr.region);
    }
  // A login berth made is undone after the builds: the token (12 hours, with the caller's ECR
  // rights) is not left in the engine's auth store. One the engine had already stays.
  const made: string[] = [];
  try {
    for (const [registry, region] of ecrBases)
      if (await loginForBases(engine, registry, region, options, notify)) made.push(registry);
    return await buildEach(engine, config, services, argsOf, options, notify);
  } finally {
    for (const registry of made) await run(engine, ['logout', registry]).catch(() => {});
  }
}

async function loginForBases(
  engine: BuildEngine,
  registry: string,
  region: string,
  options: BuildImagesOptions,
  notify: ImageNotify,
): Promise<boolean> {
  // podman can say whether it held a login for the registry already: that one stays, refreshed
  // (an ECR token lasts 12 hours). docker cannot say, so berth's docker login is always undone.
  const hadLogin = engine === 'podman' && (await succeeds('podman', ['login', '--get-login', registry]));
  notify({
    level: 'info',
    code: 'build.login',
    message: `logging in to ${registry} for the base images`,
    data: { registry },
  });
  try {
    const login = await (options.ecrCredentials ?? ecrCredentials)(registry, region);
    await run(engine, ['login', '--username', login.username, '--password-stdin', registry], {
      input: login.password,
    });
    return !hadLogin;
  } catch (error) {
    notify({
      level: 'warn',
      code: 'build.login',
      message: `could not log in to ${registry} (${(error as Error).message.trim().split('\n')[0]}); building anyway, which works if the bases are pulled already or ${engine} is logged in`,
      data: { registry },
    });
    return false;
  }
}

async function buildEach(
  engine: BuildEngine,
  config: ResolvedConfig,
  services: readonly ResolvedService[],
  argsOf: (service: ResolvedService) => Record<string, string>,
  options: BuildImagesOptions,
  notify: ImageNotify,
): Promise<BuiltImage[]> {
  const built: BuiltImage[] = [];
  for (const service of services) {
    if (service.image.kind !== 'build') continue;
    const { context, file } = service.image;
    const buildArgs = argsOf(service);
    const ref = localImageRef(config, service, options.tag);
    const platforms = options.platforms ?? [platformOf(service.architecture)];
    const insecure = [buildArgs.BUILD_IMAGE, buildArgs.BASE_IMAGE].some(
      (b) => b !== undefined && isLoopbackRegistry(b),
    );
    const started = Date.now();
    const outputs: string[] = [];
    const log = (text: string) => {
      outputs.push(text);
      if (options.logDir)
        writeFileSync(path.join(options.logDir, `build-${service.id}.log`), outputs.join(''));
    };
    const images: PlatformImageRef[] = [];
    for (const platform of platforms) {
      const target = platforms.length === 1 ? ref : localImageRef(config, service, options.tag, platform);
      notify({
        level: 'info',
        code: 'build.start',
        message: `building ${target} for ${platform}`,
        data: { service: service.id, ref: target, platform },
      });
      const work = mkdtempSync(path.join(os.tmpdir(), 'berth-build-'));
      const iidfile = path.join(work, 'iid');
      try {
        const output = await run(
          engine,
          [
            'build',
            ...(engine === 'podman'
              ? ['--format', 'docker', ...(insecure ? ['--tls-verify=false'] : [])]
              : []),
            ...(options.cache === false ? (engine === 'podman' ? ['--layers=false'] : ['--no-cache']) : []),
            // Both the FROM images (one platform of each base's index) and the result's config.
            '--platform',
            platform,
            '--file',
            path.resolve(context, file),
            '--tag',
            target,
            '--iidfile',
            iidfile,
            ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
            context,
          ],
          options.signal ? { signal: options.signal } : {},
        );
        log(output.stdout + output.stderr);
        const id = readFileSync(iidfile, 'utf8').trim();
        images.push({ platform, ref: target, id: id.startsWith('sha256:') ? id : `sha256:${id}` });
      } catch (err) {
        if (err instanceof ToolFailedError) log(err.stderr);
        throw err;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const id = platforms.length === 1 ? images[0]!.id : await imageIndex(engine, ref, images);
    const seconds = (Date.now() - started) / 1000;
    built.push({ service: service.id, ref, id, seconds, images });
    notify({
      level: 'info',
      code: 'build.done',
      message: `built ${ref} (${platforms.join(', ')}) in ${seconds.toFixed(1)} s`,
      data: { service: service.id, ref, id, platforms },
    });
  }
  return built;
}

/**
 * Names `ref` an image index (manifest list) of the platform images, replacing what had the name
 * before (an older index, or a single-platform image). Docker keeps no such list locally: its
 * platform images are pushed one by one and joined by the registry (`docker manifest`).
 */
async function imageIndex(
  engine: BuildEngine,
  ref: string,
  images: readonly PlatformImageRef[],
): Promise<string> {
  if (engine !== 'podman') return images[0]!.id;
  if (await succeeds('podman', ['manifest', 'exists', ref])) await run('podman', ['manifest', 'rm', ref]);
  else if (await succeeds('podman', ['image', 'exists', ref])) await run('podman', ['untag', ref, ref]);
  const id = (await run('podman', ['manifest', 'create', ref])).stdout.trim();
  for (const image of images)
    await run('podman', ['manifest', 'add', ref, `containers-storage:${image.ref}`]);
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

async function succeeds(tool: string, args: readonly string[]): Promise<boolean> {
  return run(tool, args).then(
    () => true,
    () => false,
  );
}

/** A service's own bases over the ones for every service, one field at a time. */
export function basesFor(service: string, choice: BaseImageChoice | undefined): ServiceBaseImages {
  const own = choice?.services?.[service];
  const build = own?.build ?? choice?.build;
  const runtime = own?.runtime ?? choice?.runtime;
  return { ...(build ? { build } : {}), ...(runtime ? { runtime } : {}) };
}

/** Per-service bases must name services of the config: a typo would silently build from the default base. */
export function checkBaseImageServices(config: ResolvedConfig, choice: BaseImageChoice | undefined): void {
  for (const id of Object.keys(choice?.services ?? {}))
    requireService(config, id, { flag: `--base-image/--build-image ${id}=...`, built: true });
}

async function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', cwd, ...args]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A remote URL can carry a token (https://user:token@host/...); labels are public. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
