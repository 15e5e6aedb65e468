import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeJsonBlob, writeLayer, type LayerEntry } from '../../src/images/oci-layout.ts';
import { hostPlatform, ociArchitecture } from '../../src/images/platform.ts';
import { nodeVersionScanner, readImageDir } from '../../src/images/read-image.ts';

/** The first bytes of a 64-bit little-endian ELF file for machine `machine` (e_machine at offset 18). */
function elfHeader(machine: number): Buffer {
  const head = Buffer.alloc(64);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2; // 64-bit
  head[5] = 1; // little-endian
  head.writeUInt16LE(machine, 18);
  return head;
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A skopeo `dir:` layout (manifest.json, config and layers named by digest) from layer entry lists. */
async function dirLayout(
  layers: readonly (readonly LayerEntry[])[],
  config: Record<string, unknown>,
): Promise<string> {
  const oci = mkdtempSync(path.join(os.tmpdir(), 'berth-test-oci-'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-dir-'));
  temps.push(oci, dir);
  const written = [];
  for (const entries of layers) written.push(await writeLayer(oci, entries));
  const configBlob = writeJsonBlob(oci, 'application/vnd.docker.container.image.v1+json', {
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: written.map((l) => l.diffId) },
  });
  for (const blob of readdirSync(path.join(oci, 'blobs', 'sha256')))
    copyFileSync(path.join(oci, 'blobs', 'sha256', blob), path.join(dir, blob));
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: configBlob,
      layers: written.map((l) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: l.digest,
        size: l.size,
      })),
    }),
  );
  return dir;
}

describe('readImageDir', () => {
  it('merges layers in order and honours whiteouts and opaque directories', async () => {
    const dir = await dirLayout(
      [
        [
          { type: 'file', path: 'usr/bin/curl', mode: 0o755, content: 'curl' },
          { type: 'file', path: 'usr/bin/node', mode: 0o755, content: 'node' },
          { type: 'file', path: 'var/cache/a', mode: 0o644, content: 'a' },
          { type: 'file', path: 'var/cache/b', mode: 0o644, content: 'b' },
          { type: 'file', path: 'etc/passwd', mode: 0o644, content: 'root:x:0:0::/:/sbin/nologin\n' },
        ],
        [
          { type: 'file', path: 'usr/bin/.wh.curl', mode: 0o644, content: '' },
          { type: 'file', path: 'var/cache/.wh..wh..opq', mode: 0o644, content: '' },
          { type: 'file', path: 'var/cache/c', mode: 0o644, content: 'c' },
          { type: 'file', path: 'etc/passwd', mode: 0o644, content: 'app:x:1000:1000::/:/sbin/nologin\n' },
        ],
      ],
      {
        User: '1000:1000',
        Env: ['PATH=/usr/bin'],
        WorkingDir: '/app',
        ExposedPorts: { '4567/tcp': {} },
        Healthcheck: { Test: ['CMD', 'node', 'dist/healthcheck.js'], Interval: 15_000_000_000 },
        Labels: { a: 'b' },
        StopSignal: 'SIGTERM',
      },
    );
    const image = await readImageDir(dir, { ref: 'test', name: 'test' });
    expect([...image.files.keys()].filter((p) => !image.files.get(p)!.type.startsWith('dir')).sort()).toEqual(
      ['/etc/passwd', '/usr/bin/node', '/var/cache/c'],
    );
    expect(image.texts.get('/etc/passwd')).toBe('app:x:1000:1000::/:/sbin/nologin\n');
    expect(image.files.get('/usr/bin/node')).toMatchObject({ type: 'file', mode: 0o755, uid: 0, size: 4 });
    expect(image.files.get('/usr/bin/node')?.sha256).toBe(
      // sha256("node")
      '545ea538461003efdc8c81c244531b003f6f26cfccf6c0073b3239fdedf49446',
    );
    expect(image.config).toMatchObject({
      user: '1000:1000',
      workingDir: '/app',
      exposedPorts: ['4567/tcp'],
      stopSignal: 'SIGTERM',
      healthcheck: { test: ['CMD', 'node', 'dist/healthcheck.js'], intervalSeconds: 15 },
    });
    expect(image.layers).toHaveLength(2);
    expect(image.layers.every((l) => l.compressedSize > 0 && l.uncompressedSize > l.compressedSize)).toBe(
      true,
    );
    expect(image.id).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('keeps modes that matter: setuid, sticky, world-writable', async () => {
    const dir = await dirLayout(
      [
        [
          { type: 'file', path: 'usr/bin/su', mode: 0o4755, content: 'su' },
          { type: 'directory', path: 'tmp', mode: 0o1777 },
          { type: 'directory', path: 'data', mode: 0o777 },
          { type: 'symlink', path: 'bin/sh', target: 'busybox' },
        ],
      ],
      {},
    );
    const image = await readImageDir(dir, { ref: 'test', name: 'test' });
    expect(image.files.get('/usr/bin/su')?.mode).toBe(0o4755);
    expect(image.files.get('/tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(image.files.get('/data')?.mode).toBe(0o777);
    expect(image.files.get('/bin/sh')).toMatchObject({ type: 'symlink', linkTarget: 'busybox' });
    expect(image.config.user).toBe('');
    expect(image.config.healthcheck).toBeUndefined();
  });
});

describe('writeLayer', () => {
  it('gives the same digest for the same files', async () => {
    const entries: LayerEntry[] = [
      { type: 'file', path: 'b', mode: 0o644, content: 'b' },
      { type: 'file', path: 'a/x', mode: 0o755, content: 'x' },
    ];
    const one = mkdtempSync(path.join(os.tmpdir(), 'berth-test-layer-'));
    const two = mkdtempSync(path.join(os.tmpdir(), 'berth-test-layer-'));
    temps.push(one, two);
    const first = await writeLayer(one, entries);
    const second = await writeLayer(two, [...entries].reverse());
    expect(second).toEqual(first);
  });

  it('reads the platform from the config, the machine of each ELF file, and the Node.js version a node binary embeds', async () => {
    const url = Buffer.from('\0https://nodejs.org/download/release/v24.11.1/node-v24.11.1-headers.tar.gz\0');
    const dir = await dirLayout(
      [
        [
          {
            type: 'file',
            path: 'nodejs/bin/node',
            mode: 0o755,
            content: Buffer.concat([elfHeader(0xb7), url]),
          },
          { type: 'file', path: 'lib/libc.so.6', mode: 0o644, content: elfHeader(0x3e) },
          { type: 'file', path: 'bin/true', mode: 0o755, source: '/bin/true' },
          { type: 'file', path: 'app/server.js', mode: 0o644, content: 'console.log(1)' },
        ],
      ],
      {},
    );
    const image = await readImageDir(dir, { ref: 'test', name: 'test' });
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.files.get('/nodejs/bin/node')).toMatchObject({ machine: 'arm64', nodeVersion: '24.11.1' });
    expect(image.files.get('/lib/libc.so.6')).toMatchObject({ machine: 'amd64' });
    expect(image.files.get('/lib/libc.so.6')?.nodeVersion).toBeUndefined();
    // A real binary of this machine.
    expect(image.files.get('/bin/true')?.machine).toBe(ociArchitecture(hostPlatform()));
    expect(image.files.get('/app/server.js')?.machine).toBeUndefined();
  });
});

describe('nodeVersionScanner', () => {
  it('finds the release URL when it is split across two chunks, and only the first', () => {
    const scanner = nodeVersionScanner();
    scanner.scan(Buffer.from('xxxx https://nodejs.org/downl'));
    scanner.scan(
      Buffer.from('oad/release/v22.3.0/node-v22.3.0.tar.gz ... nodejs.org/download/release/v9.9.9/'),
    );
    expect(scanner.found()).toBe('22.3.0');
  });
});
