import type { ImageConfig, ImageFile, ImageModel } from '../../src/images/index.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

export const file = (path: string, mode = 0o644, extra: Partial<ImageFile> = {}): ImageFile => ({
  path,
  type: 'file',
  mode,
  uid: 0,
  gid: 0,
  size: 10,
  sha256: 'b'.repeat(64),
  ...extra,
});
export const dir = (path: string, mode = 0o755): ImageFile => ({
  path,
  type: 'directory',
  mode,
  uid: 0,
  gid: 0,
  size: 0,
});
export const symlink = (path: string, target: string): ImageFile => ({
  path,
  type: 'symlink',
  mode: 0o777,
  uid: 0,
  gid: 0,
  size: 0,
  linkTarget: target,
});

/** A model shaped like berth's backend image: distroless-style node, the bundled app, hardened config. */
export function goodImage(
  changes: {
    readonly add?: readonly ImageFile[];
    readonly remove?: readonly string[];
    readonly config?: Partial<ImageConfig>;
    readonly texts?: Readonly<Record<string, string>>;
    readonly compressedSize?: number;
    readonly architecture?: string;
  } = {},
): ImageModel {
  const files = new Map<string, ImageFile>();
  for (const f of [
    dir('/etc'),
    file('/etc/passwd'),
    file('/etc/ssl/certs/ca-certificates.crt'),
    dir('/nodejs/bin'),
    file('/nodejs/bin/node', 0o755, { machine: 'arm64', nodeVersion: '24.11.1' }),
    file('/lib/aarch64-linux-gnu/libc.so.6', 0o644, { machine: 'arm64' }),
    dir('/tmp', 0o1777),
    dir('/app'),
    dir('/app/dist'),
    file('/app/dist/server.js'),
    file('/app/dist/healthcheck.js'),
    file('/app/package.json'),
    ...(changes.add ?? []),
  ])
    files.set(f.path, f);
  for (const p of changes.remove ?? []) files.delete(p);
  return {
    name: 'backend',
    ref: 'localhost/cruddur/backend:latest',
    id: DIGEST,
    platform: { os: 'linux', architecture: changes.architecture ?? 'arm64' },
    config: {
      user: '1000:1000',
      env: ['PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin'],
      entrypoint: [],
      cmd: ['node', 'dist/server.js'],
      workingDir: '/app',
      labels: {
        'org.opencontainers.image.base.name': `registry.example.com/cruddur/base@sha256:${'c'.repeat(64)}`,
        'dev.berth.build-image': `registry.example.com/cruddur/base@sha256:${'d'.repeat(64)}`,
      },
      exposedPorts: ['4567/tcp'],
      stopSignal: 'SIGTERM',
      healthcheck: { test: ['CMD', 'node', 'dist/healthcheck.js'] },
      ...changes.config,
    },
    files,
    texts: new Map(
      Object.entries({
        '/etc/passwd':
          'root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000:app:/nonexistent:/sbin/nologin\n',
        ...changes.texts,
      }),
    ),
    layers: [
      { digest: DIGEST, compressedSize: changes.compressedSize ?? 38_000_000, uncompressedSize: 95_000_000 },
    ],
  };
}
