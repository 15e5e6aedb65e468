import {
  closeSync,
  existsSync,
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
import { writeImageLayout, writeLayer, type LayerEntry, type WrittenLayer } from './oci-layout.ts';
import { isLoopbackRegistry, run } from './run.ts';

export interface LocalBaseImagesOptions {
  /** Registry to push to, `host:port`; loopback registries are spoken to over plain HTTP. */
  readonly registry: string;
  /** Repository prefix in that registry. @default 'berth' (berth/node-build, berth/node-runtime) */
  readonly namespace?: string;
  /** The Node.js binary to put in the images. @default the one running berth */
  readonly node?: string;
  readonly notify?: ImageNotify;
}

/** Base image references pinned by digest, ready for BUILD_IMAGE and BASE_IMAGE. */
export interface BaseImages {
  /** node, npm, a shell and a few coreutils: for the build stage. */
  readonly build: string;
  /** node, the libraries it loads, CA certificates, passwd and group; nothing else. */
  readonly runtime: string;
  /** The Node.js version in both, e.g. `v20.20.2`. */
  readonly nodeVersion: string;
}

/** The nginx bases, pinned by digest: for a frontend served by nginx (BUILD_IMAGE and BASE_IMAGE). */
export interface NginxBaseImages {
  /** gcc with static libc (libc.a), binutils, a shell and a few coreutils: for the build stage. */
  readonly build: string;
  /** nginx, its njs module, mime.types, the libraries they load, passwd and group; nothing else. */
  readonly runtime: string;
  /** The nginx version in the runtime, e.g. `1.22.1`. */
  readonly nginxVersion: string;
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

/**
 * Makes the two base images from this machine's own Node.js, for machines that reach no public
 * registry: a distroless-style runtime (node in /nodejs/bin, as in gcr.io/distroless/nodejs) and a
 * build base with npm and a shell. Writes them as OCI layouts, pushes them with skopeo, and returns
 * their references pinned by digest. The layers are reproducible: the same Node.js gives the same digests.
 */
export async function makeLocalBaseImages(options: LocalBaseImagesOptions): Promise<BaseImages> {
  const notify = options.notify ?? quiet;
  const namespace = options.namespace ?? 'berth';
  const node = realpathSync(options.node ?? process.execPath);
  const nodeVersion =
    node === realpathSync(process.execPath)
      ? process.version
      : (await run(node, ['-p', 'process.version'])).stdout.trim();
  const npm = findNpm(node);
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-base-'));
  try {
    const nodeFile = await strippedCopy(node, work);
    const runtimeFiles: LayerEntry[] = [
      { type: 'file', path: 'nodejs/bin/node', mode: 0o755, source: nodeFile },
      ...(await sharedLibraries([node])),
      ...systemFiles(),
    ];
    const runtimeSources = [node, ...(await librarySources([node])), CA_BUNDLE];
    const buildTools = BUILD_TOOLS.filter((tool) => existsSync(tool));
    const buildExtras: LayerEntry[] = [
      { type: 'symlink', path: 'usr/local/bin/node', target: '/nodejs/bin/node' },
      ...copyTree(npm, 'usr/local/lib/node_modules/npm'),
      { type: 'symlink', path: 'usr/local/bin/npm', target: '../lib/node_modules/npm/bin/npm-cli.js' },
      { type: 'symlink', path: 'usr/local/bin/npx', target: '../lib/node_modules/npm/bin/npx-cli.js' },
      ...buildTools.map(buildTool),
      ...(await sharedLibraries(buildTools)),
      { type: 'directory', path: 'root', mode: 0o700 },
    ];
    const buildSources = [...buildTools, ...(await librarySources(buildTools))];
    // One layout holds both images; the build image is the runtime's layer plus its own, so node is
    // compressed, pushed and stored once.
    const layout = path.join(work, 'layout');
    const tag = nodeVersion.replace(/^v/, '');
    notify({
      level: 'info',
      code: 'base.rootfs',
      message: `writing the base image layers (Node.js ${nodeVersion})`,
    });
    const runtimeLayer = await writeLayer(layout, [
      ...runtimeFiles,
      ...(await dpkgStatusFiles(runtimeSources)),
    ]);
    const buildLayer = await writeLayer(layout, [...buildExtras, ...(await dpkgStatusFiles(buildSources))]);
    const env = ['PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin', `SSL_CERT_FILE=${CA_BUNDLE}`];
    const [runtime, build] = await publish(layout, work, options, [
      {
        name: `${namespace}/node-runtime`,
        tag,
        description: `Node.js ${nodeVersion} runtime base`,
        layers: [runtimeLayer],
        config: { Env: env, Entrypoint: ['/nodejs/bin/node'] },
      },
      {
        name: `${namespace}/node-build`,
        tag,
        description: `Node.js ${nodeVersion} build base`,
        layers: [runtimeLayer, buildLayer],
        config: { Env: env, Cmd: ['node'] },
      },
    ]);
    return { build: build!, runtime: runtime!, nodeVersion };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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
  const nginxVersion = await packageVersion('nginx', NGINX_INSTALL);
  await packageVersion('libnginx-mod-http-js', NGINX_INSTALL);
  await packageVersion('gcc', GCC_INSTALL);
  // The Debian gcc's own driver, whose packages are copied (not whichever gcc is first on PATH).
  const gccMajor = majorVersion((await run('/usr/bin/gcc', ['-dumpversion'])).stdout);
  const triplet = (await run('/usr/bin/gcc', ['-dumpmachine'])).stdout.trim();
  // What `gcc -static` runs and reads: the driver, cc1, as and ld, gcc's own objects and
  // libgcc.a, and libc.a, crt*.o and the C and kernel headers.
  const toolchainPackages = [
    'gcc',
    `gcc-${gccMajor}`,
    `cpp-${gccMajor}`,
    'binutils',
    `binutils-${triplet.replace(/_/g, '-')}`,
    `libgcc-${gccMajor}-dev`,
    'libc6-dev',
    'linux-libc-dev',
  ];
  const versions = new Map<string, string>();
  for (const pkg of toolchainPackages) versions.set(pkg, await packageVersion(pkg, GCC_INSTALL));
  const gccVersion = versions.get(`gcc-${gccMajor}`)!;
  const nginxPackages = await withOwners(NGINX_PACKAGES, NGINX_REQUIRED);
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-base-'));
  try {
    const nginxFiles = [...(await packageFiles(nginxPackages)), fileEntry(MIME_TYPES)];
    requireLayerFiles(nginxFiles, NGINX_REQUIRED, { packages: nginxPackages, install: NGINX_INSTALL });
    const nginxBinaries = await elfFiles(nginxFiles);
    const toolchain = await packageFiles(toolchainPackages);
    const buildTools = BUILD_TOOLS.filter((tool) => existsSync(tool));
    const toolchainBinaries = [...(await elfFiles(toolchain)), ...buildTools];
    const layout = path.join(work, 'layout');
    (options.notify ?? quiet)({
      level: 'info',
      code: 'base.rootfs',
      message: `writing the base image layers (nginx ${nginxVersion}, gcc ${gccVersion})`,
    });
    const runtimeLayer = await writeLayer(layout, [
      ...nginxFiles,
      ...(await sharedLibraries(nginxBinaries)),
      ...systemFiles(),
      ...(await dpkgStatusFiles(
        [MIME_TYPES, CA_BUNDLE, ...(await librarySources(nginxBinaries))],
        nginxPackages,
      )),
    ]);
    const buildLayer = await writeLayer(layout, [
      ...toolchain,
      ...buildTools.map(buildTool),
      ...(await sharedLibraries(toolchainBinaries)),
      ...systemFiles(),
      { type: 'directory', path: 'root', mode: 0o700 },
      ...(await dpkgStatusFiles(
        [...buildTools, ...(await librarySources(toolchainBinaries))],
        toolchainPackages,
      )),
    ]);
    const [runtime, build] = await publish(layout, work, options, [
      {
        name: `${namespace}/nginx-runtime`,
        tag: nginxVersion,
        description: `nginx ${nginxVersion} runtime base with njs`,
        layers: [runtimeLayer],
        config: {
          Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
          Entrypoint: ['/usr/sbin/nginx'],
          StopSignal: 'SIGTERM',
        },
      },
      {
        name: `${namespace}/c-build`,
        tag: gccVersion,
        description: `gcc ${gccVersion} build base with static libc`,
        layers: [buildLayer],
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['gcc', '--version'] },
      },
    ]);
    return { build: build!, runtime: runtime!, nginxVersion };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface ImageSpec {
  /** Repository under the registry, e.g. `berth/node-runtime`. */
  readonly name: string;
  readonly tag: string;
  readonly description: string;
  readonly layers: readonly WrittenLayer[];
  readonly config: Readonly<Record<string, unknown>>;
}

/** Writes each image into the OCI layout (one layout, so shared layers are stored once) and pushes it; returns the references by digest. */
async function publish(
  layout: string,
  work: string,
  options: LocalBaseImagesOptions,
  images: readonly ImageSpec[],
): Promise<string[]> {
  const notify = options.notify ?? quiet;
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  const refs: string[] = [];
  for (const image of images) {
    const layoutTag = `${image.name.replace(/\//g, '-')}-${image.tag}`;
    writeImageLayout(
      layout,
      layoutTag,
      {
        architecture: arch,
        os: 'linux',
        created: '1970-01-01T00:00:00Z',
        config: {
          ...image.config,
          Labels: {
            'org.opencontainers.image.title': image.name,
            'org.opencontainers.image.description': `${image.description} made by berth from this machine's files`,
            'org.opencontainers.image.version': image.tag,
          },
        },
        rootfs: { type: 'layers', diff_ids: image.layers.map((l) => l.diffId) },
        history: image.layers.map((_, i) => ({
          created: '1970-01-01T00:00:00Z',
          created_by: `berth (${image.name} layer ${i + 1})`,
        })),
      },
      image.layers,
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

/** node without debug symbols, as Node.js's own release builds ship it; the original when `strip` is missing. */
async function strippedCopy(node: string, work: string): Promise<string> {
  const out = path.join(work, 'node');
  try {
    await run('strip', ['--strip-all', '-o', out, node]);
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
