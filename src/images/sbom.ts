import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { platformName, type ImageModel } from './model.ts';

/** A CycloneDX 1.5 bill of materials, the JSON shape that Amazon Inspector, trivy and grype import. */
export interface CycloneDxBom {
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: '1.5';
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly timestamp: string;
    readonly tools: { readonly components: readonly CycloneDxComponent[] };
    readonly component: CycloneDxComponent;
  };
  readonly components: readonly CycloneDxComponent[];
}

export interface CycloneDxComponent {
  readonly type: 'application' | 'container' | 'library' | 'operating-system' | 'file';
  readonly 'bom-ref'?: string;
  readonly name: string;
  readonly version?: string;
  readonly purl?: string;
  readonly hashes?: readonly { readonly alg: 'SHA-256' | 'SHA-512' | 'SHA-1'; readonly content: string }[];
  readonly licenses?: readonly { readonly expression: string }[];
  readonly properties?: readonly { readonly name: string; readonly value: string }[];
}

/**
 * The image's SBOM: its operating system, the Debian packages it records (dpkg status and the
 * distroless status.d), the npm packages it carries (node_modules package.json files and
 * package-lock.json records, which is how a bundled app names what it bundled), and every
 * executable, shared library and app file by SHA-256.
 */
export function cycloneDx(
  image: ImageModel,
  options: { readonly toolVersion: string; readonly now?: Date },
): CycloneDxBom {
  const components = new Map<string, CycloneDxComponent>();
  const add = (component: CycloneDxComponent) => {
    const key = component['bom-ref'] ?? component.purl ?? `${component.type}:${component.name}`;
    if (!components.has(key)) components.set(key, { ...component, 'bom-ref': key });
  };
  const os = operatingSystem(image);
  if (os) add(os);
  for (const pkg of debianPackages(image, os)) add(pkg);
  for (const pkg of npmPackages(image)) add(pkg);
  for (const runtime of runtimes(image)) add(runtime);
  for (const file of identifiedFiles(image)) add(file);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (options.now ?? new Date()).toISOString(),
      tools: { components: [{ type: 'application', name: 'berth', version: options.toolVersion }] },
      component: {
        type: 'container',
        'bom-ref': image.id,
        name: image.name,
        version: image.id,
        hashes: [{ alg: 'SHA-256', content: image.id.replace(/^sha256:/, '') }],
        // The platform first: the same name and tag can hold an amd64 and an arm64 image.
        properties: [
          { name: 'berth:platform', value: platformName(image) },
          ...Object.entries(image.config.labels)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
        ],
      },
    },
    components: [...components.values()],
  };
}

function operatingSystem(image: ImageModel): CycloneDxComponent | undefined {
  const text = image.texts.get('/etc/os-release') ?? image.texts.get('/usr/lib/os-release');
  if (!text) return undefined;
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1'));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const version = fields.get('VERSION_ID');
  return { type: 'operating-system', name: id, ...(version ? { version } : {}) };
}

function debianPackages(image: ImageModel, os: CycloneDxComponent | undefined): CycloneDxComponent[] {
  const distro = os?.version ? `&distro=${os.name}-${os.version}` : '';
  const out: CycloneDxComponent[] = [];
  for (const [file, text] of image.texts) {
    if (!file.startsWith('/var/lib/dpkg/status')) continue;
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(stanza)?.[1]?.trim();
      const name = field('Package');
      const version = field('Version');
      const status = field('Status');
      if (!name || !version || (status && !status.endsWith(' installed'))) continue;
      const arch = field('Architecture');
      out.push({
        type: 'library',
        name,
        version,
        purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}${arch ? `?arch=${arch}${distro}` : distro ? `?${distro.slice(1)}` : ''}`,
        properties: [{ name: 'berth:source', value: file }],
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

interface LockPackage {
  readonly name?: string;
  readonly version?: string;
  readonly integrity?: string;
  readonly license?: string;
  readonly link?: boolean;
}

function npmPackages(image: ImageModel): CycloneDxComponent[] {
  const out: CycloneDxComponent[] = [];
  for (const [file, text] of image.texts) {
    if (file.endsWith('/package-lock.json')) {
      const lock = parseJson<{ packages?: Record<string, LockPackage> }>(text);
      for (const [key, pkg] of Object.entries(lock?.packages ?? {})) {
        if (key === '' || pkg.link) continue;
        const name = pkg.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
        if (name && pkg.version) out.push(npmComponent(name, pkg.version, pkg.license, pkg.integrity, file));
      }
    } else if (file.endsWith('/package.json') && file.includes('/node_modules/')) {
      const pkg = parseJson<{ name?: string; version?: string; license?: unknown }>(text);
      // Nested package.json files that only set "type" are not packages.
      if (pkg?.name && pkg.version)
        out.push(
          npmComponent(
            pkg.name,
            pkg.version,
            typeof pkg.license === 'string' ? pkg.license : undefined,
            undefined,
            file,
          ),
        );
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function npmComponent(
  name: string,
  version: string,
  license: string | undefined,
  integrity: string | undefined,
  source: string,
): CycloneDxComponent {
  const hash = integrity ? sriToHash(integrity) : undefined;
  return {
    type: 'library',
    name,
    version,
    purl: `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`,
    ...(hash ? { hashes: [hash] } : {}),
    ...(license ? { licenses: [{ expression: license }] } : {}),
    properties: [{ name: 'berth:source', value: source }],
  };
}

function sriToHash(integrity: string): { alg: 'SHA-512' | 'SHA-1'; content: string } | undefined {
  const match = /^(sha512|sha1)-(.+)$/.exec(integrity.split(' ')[0] ?? '');
  if (!match) return undefined;
  return {
    alg: match[1] === 'sha512' ? 'SHA-512' : 'SHA-1',
    content: Buffer.from(match[2]!, 'base64').toString('hex'),
  };
}

/** Executables, shared libraries and the app's own files (outside node_modules), by SHA-256. */
function identifiedFiles(image: ImageModel): CycloneDxComponent[] {
  const appDir =
    image.config.workingDir === '/' ? undefined : `${image.config.workingDir.replace(/\/$/, '')}/`;
  const out: CycloneDxComponent[] = [];
  for (const file of image.files.values()) {
    if (file.type !== 'file' || !file.sha256) continue;
    const executable = (file.mode & 0o111) !== 0;
    const library = /\.so(\.\d+)*$/.test(file.path);
    const app = appDir !== undefined && file.path.startsWith(appDir) && !file.path.includes('/node_modules/');
    if (!executable && !library && !app) continue;
    out.push({
      type: 'file',
      'bom-ref': `file:${file.path}`,
      name: file.path,
      hashes: [{ alg: 'SHA-256', content: file.sha256 }],
      properties: [
        { name: 'berth:kind', value: app ? 'app' : library ? 'shared-library' : 'executable' },
        ...(file.machine ? [{ name: 'berth:machine', value: file.machine }] : []),
      ],
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The Node.js binaries, by the version they embed: what a scanner matches Node.js CVEs against. */
function runtimes(image: ImageModel): CycloneDxComponent[] {
  const out: CycloneDxComponent[] = [];
  for (const file of image.files.values()) {
    if (file.type !== 'file' || !file.nodeVersion) continue;
    out.push({
      type: 'application',
      'bom-ref': `pkg:generic/node@${file.nodeVersion}?arch=${file.machine ?? 'unknown'}`,
      name: 'node',
      version: file.nodeVersion,
      purl: `pkg:generic/node@${file.nodeVersion}`,
      properties: [
        { name: 'berth:source', value: file.path },
        ...(file.machine ? [{ name: 'berth:machine', value: file.machine }] : []),
      ],
    });
  }
  return out;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** `.berth/images/<service>/<image id hex>.cdx.json` under `dir`. */
export function sbomPath(dir: string, service: string, imageId: string): string {
  return path.join(dir, service, `${imageId.replace(/^sha256:/, '')}.cdx.json`);
}
