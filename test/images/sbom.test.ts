import { describe, expect, it } from 'vitest';
import { cycloneDx } from '../../src/images/index.ts';
import { file, goodImage } from './fixture.ts';

const LOCK = JSON.stringify({
  name: '@cruddur/backend',
  lockfileVersion: 3,
  packages: {
    '': { name: '@cruddur/backend', version: '0.1.0' },
    'node_modules/fastify': {
      name: 'fastify',
      version: '5.1.0',
      license: 'MIT',
      integrity: 'sha512-AAAA',
    },
    'node_modules/@aws-sdk/client-dynamodb': {
      name: '@aws-sdk/client-dynamodb',
      version: '3.1.0',
      license: 'Apache-2.0',
    },
  },
});

const STATUS = [
  'Package: libc6',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 2.36-9+deb12u14',
  '',
].join('\n');

describe('cycloneDx', () => {
  const image = goodImage({
    add: [
      file('/app/package-lock.json'),
      file('/app/node_modules/zod/package.json'),
      file('/var/lib/dpkg/status.d/libc6'),
      file('/etc/os-release'),
    ],
    texts: {
      '/app/package-lock.json': LOCK,
      '/app/node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '4.0.0', license: 'MIT' }),
      '/app/node_modules/zod/v4/package.json': JSON.stringify({ type: 'module' }),
      '/var/lib/dpkg/status.d/libc6': STATUS,
      '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    },
  });
  const bom = cycloneDx(image, { toolVersion: '0.1.0', now: new Date('2026-01-01T00:00:00Z') });

  it('is a CycloneDX 1.5 document about the image', () => {
    expect(bom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      metadata: {
        timestamp: '2026-01-01T00:00:00.000Z',
        tools: { components: [{ type: 'application', name: 'berth', version: '0.1.0' }] },
        component: { type: 'container', name: 'backend', version: image.id },
      },
    });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('names the OS, the Debian packages and the npm packages with purls', () => {
    const purls = bom.components.map((c) => c.purl).filter(Boolean);
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12',
        'pkg:npm/fastify@5.1.0',
        'pkg:npm/%40aws-sdk/client-dynamodb@3.1.0',
        'pkg:npm/zod@4.0.0',
      ]),
    );
    expect(bom.components).toContainEqual(
      expect.objectContaining({ type: 'operating-system', name: 'debian', version: '12' }),
    );
    expect(bom.components.find((c) => c.name === 'fastify')).toMatchObject({
      licenses: [{ expression: 'MIT' }],
      hashes: [{ alg: 'SHA-512', content: '000000' }],
    });
    // The app itself (lock key "") and package.json files that only set "type" are not packages.
    expect(bom.components.some((c) => c.name === '@cruddur/backend')).toBe(false);
    expect(bom.components.filter((c) => c.type === 'library')).toHaveLength(4);
  });

  it('lists executables, shared libraries and app files by SHA-256', () => {
    const files = bom.components.filter((c) => c.type === 'file').map((c) => c.name);
    expect(files).toEqual(
      expect.arrayContaining(['/nodejs/bin/node', '/lib/aarch64-linux-gnu/libc.so.6', '/app/dist/server.js']),
    );
    expect(files).not.toContain('/etc/passwd');
    expect(bom.components.find((c) => c.name === '/nodejs/bin/node')?.hashes).toEqual([
      { alg: 'SHA-256', content: 'b'.repeat(64) },
    ]);
  });

  it("names the platform, each binary's machine, and the Node.js runtime by the version it embeds", () => {
    expect(bom.metadata.component.properties?.[0]).toEqual({ name: 'berth:platform', value: 'linux/arm64' });
    expect(bom.components.find((c) => c.name === '/nodejs/bin/node')?.properties).toContainEqual({
      name: 'berth:machine',
      value: 'arm64',
    });
    expect(bom.components).toContainEqual(
      expect.objectContaining({
        type: 'application',
        name: 'node',
        version: '24.11.1',
        purl: 'pkg:generic/node@24.11.1',
      }),
    );
  });
});
