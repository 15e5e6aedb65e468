import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageUserError, ToolMissingError } from './errors.ts';
import { quiet, type ImageNotify } from './events.ts';
import { writeImageLayout, writeLayer, type LayerEntry } from './oci-layout.ts';
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
      ...buildTools.map((tool): LayerEntry =>
        tool === '/bin/dash'
          ? { type: 'file', path: 'bin/sh', mode: 0o755, source: tool }
          : { type: 'file', path: tool, mode: 0o755, source: realpathSync(tool) },
      ),
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
    const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
    const env = ['PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin', `SSL_CERT_FILE=${CA_BUNDLE}`];
    const images = [
      { role: 'runtime', layers: [runtimeLayer], config: { Env: env, Entrypoint: ['/nodejs/bin/node'] } },
      { role: 'build', layers: [runtimeLayer, buildLayer], config: { Env: env, Cmd: ['node'] } },
    ] as const;
    const refs: Record<'build' | 'runtime', string> = { build: '', runtime: '' };
    for (const image of images) {
      const name = `${namespace}/node-${image.role}`;
      writeImageLayout(
        layout,
        `${image.role}-${tag}`,
        {
          architecture: arch,
          os: 'linux',
          created: '1970-01-01T00:00:00Z',
          config: {
            ...image.config,
            Labels: {
              'org.opencontainers.image.title': name,
              'org.opencontainers.image.description': `Node.js ${nodeVersion} ${image.role} base made by berth from this machine's files`,
              'org.opencontainers.image.version': tag,
            },
          },
          rootfs: { type: 'layers', diff_ids: image.layers.map((l) => l.diffId) },
          history: image.layers.map((_, i) => ({
            created: '1970-01-01T00:00:00Z',
            created_by: `berth makeLocalBaseImages (${i === 0 ? 'runtime' : 'build'} files)`,
          })),
        },
        image.layers,
      );
      const target = `${options.registry}/${name}:${tag}`;
      const digest = await pushLayout(`oci:${layout}:${image.role}-${tag}`, target, work);
      refs[image.role] = `${options.registry}/${name}@${digest}`;
      notify({
        level: 'info',
        code: 'base.pushed',
        message: `pushed ${refs[image.role]}`,
        data: { ref: refs[image.role] },
      });
    }
    return { build: refs.build, runtime: refs.runtime, nodeVersion };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

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
    throw new ImageUserError(
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
    throw new ImageUserError(
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
 * copied files come from, so that SBOM tools and scanners can name them. None off Debian.
 */
async function dpkgStatusFiles(files: readonly string[]): Promise<LayerEntry[]> {
  const packages = new Set<string>();
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
