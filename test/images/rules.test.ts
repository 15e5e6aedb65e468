import { describe, expect, it } from 'vitest';
import { evaluateImage } from '../../src/images/index.ts';
import {
  ImageArchitectureMatches,
  ImageBasePinned,
  ImageExposesPort,
  ImageHasHealthcheck,
  ImageNoCompiler,
  ImageNoDownloadTool,
  ImageNoPackageManager,
  ImageNoSetuidFiles,
  ImageNoShell,
  ImageNoWorldWritable,
  ImageNonRootUser,
  ImageRuntimeSupported,
  ImageSizeBudget,
  type ImageRule,
  type RuleContext,
} from '../../src/images/rules/index.ts';
import type { ImageModel } from '../../src/images/model.ts';
import { dir, file, goodImage, symlink } from './fixture.ts';

const context: RuleContext = { port: 4567, budgetBytes: 45_000_000 };

function paths(rule: ImageRule, image: ImageModel, ctx: RuleContext = context): (string | undefined)[] {
  const outcome = rule.evaluate(image, ctx);
  expect(outcome.status).toBe('non-compliant');
  return outcome.status === 'non-compliant' ? outcome.problems.map((p) => p.path) : [];
}

function messages(rule: ImageRule, image: ImageModel, ctx: RuleContext = context): string {
  const outcome = rule.evaluate(image, ctx);
  expect(outcome.status).toBe('non-compliant');
  return outcome.status === 'non-compliant' ? outcome.problems.map((p) => p.message).join('\n') : '';
}

describe('ImageArchitectureMatches', () => {
  it('Compliance 1: an arm64 image of arm64 binaries for an arm64 service', () => {
    expect(ImageArchitectureMatches.evaluate(goodImage(), { ...context, architecture: 'arm64' })).toEqual({
      status: 'compliant',
    });
  });
  it('Compliance 2: an amd64 image of amd64 binaries for an x86_64 service', () => {
    const image = goodImage({
      architecture: 'amd64',
      add: [
        file('/nodejs/bin/node', 0o755, { machine: 'amd64' }),
        file('/lib/aarch64-linux-gnu/libc.so.6', 0o644, { machine: 'amd64' }),
      ],
    });
    expect(ImageArchitectureMatches.evaluate(image, { ...context, architecture: 'x86_64' }).status).toBe(
      'compliant',
    );
  });
  it('Non-compliance 1: an amd64 image for an arm64 service names the service field and exec format error', () => {
    const image = goodImage({
      architecture: 'amd64',
      add: [
        file('/nodejs/bin/node', 0o755, { machine: 'amd64' }),
        file('/lib/aarch64-linux-gnu/libc.so.6', 0o644, { machine: 'amd64' }),
      ],
    });
    expect(messages(ImageArchitectureMatches, image, { ...context, architecture: 'arm64' })).toBe(
      'the image is linux/amd64, not linux/arm64 (services.backend.architecture is arm64): its task would fail with exec format error',
    );
  });
  it('Non-compliance 2: an image that says arm64 but carries amd64 binaries (built FROM a base of the wrong platform)', () => {
    const image = goodImage({ add: [file('/nodejs/bin/node', 0o755, { machine: 'amd64' })] });
    expect(paths(ImageArchitectureMatches, image, { ...context, architecture: 'arm64' })).toEqual([
      '/nodejs/bin/node',
    ]);
    expect(messages(ImageArchitectureMatches, image)).toBe(
      '/nodejs/bin/node is amd64 machine code in a arm64 image',
    );
  });
});

describe('ImageRuntimeSupported', () => {
  const on = (day: string): RuleContext => ({ ...context, now: new Date(`${day}T12:00:00Z`) });
  const withNode = (version: string) =>
    goodImage({ add: [file('/nodejs/bin/node', 0o755, { machine: 'arm64', nodeVersion: version })] });
  it('Compliance 1: Node.js 24 in 2026', () => {
    expect(ImageRuntimeSupported.evaluate(withNode('24.11.1'), on('2026-12-06'))).toEqual({
      status: 'compliant',
    });
  });
  it('Compliance 2: Node.js 20 on its last day, 2026-04-30', () => {
    expect(ImageRuntimeSupported.evaluate(withNode('20.20.2'), on('2026-04-30')).status).toBe('compliant');
  });
  it('Not applicable: an image with no Node.js (nginx)', () => {
    expect(
      ImageRuntimeSupported.evaluate(goodImage({ remove: ['/nodejs/bin/node'] }), on('2026-12-06')),
    ).toEqual({
      status: 'not-applicable',
      reason: 'no Node.js binary in the image',
    });
  });
  it('Non-compliance 1: Node.js 20 after its end of life, with the date', () => {
    const image = withNode('20.20.2');
    expect(paths(ImageRuntimeSupported, image, on('2026-12-06'))).toEqual(['/nodejs/bin/node']);
    expect(messages(ImageRuntimeSupported, image, on('2026-12-06'))).toBe(
      'Node.js 20.20.2: line 20 reached its end of life on 2026-04-30 (today is 2026-12-06) and gets no security fixes',
    );
  });
  it('Non-compliance 2: a line the table does not know is named, with the file to update', () => {
    expect(messages(ImageRuntimeSupported, withNode('8.17.0'), on('2026-12-06'))).toMatch(
      /^Node\.js 8\.17\.0 is on a line the table does not know .*src\/images\/data\/nodejs-release-lines\.json$/,
    );
  });
});

describe('ImageNoShell', () => {
  it('Compliance 1: a distroless-style image has no shell', () => {
    expect(ImageNoShell.evaluate(goodImage(), context)).toEqual({ status: 'compliant' });
  });
  it('Compliance 2: a directory that happens to be called sh is not a shell', () => {
    expect(ImageNoShell.evaluate(goodImage({ add: [dir('/app/sh')] }), context).status).toBe('compliant');
  });
  it('Non-compliance 1: /bin/sh and bash are named with their paths', () => {
    expect(
      paths(ImageNoShell, goodImage({ add: [file('/bin/sh', 0o755), file('/usr/bin/bash', 0o755)] })),
    ).toEqual(['/bin/sh', '/usr/bin/bash']);
  });
  it('Non-compliance 2: busybox and a symlink to it', () => {
    const image = goodImage({ add: [file('/bin/busybox', 0o755), symlink('/bin/ash', 'busybox')] });
    expect(paths(ImageNoShell, image)).toEqual(['/bin/ash', '/bin/busybox']);
    expect(messages(ImageNoShell, image)).toContain('symlink to busybox');
  });
});

describe('ImageNoPackageManager', () => {
  it('Compliance 1: node alone, without npm', () => {
    expect(ImageNoPackageManager.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Non-compliance 1: apt-get and dpkg', () => {
    const image = goodImage({ add: [file('/usr/bin/apt-get', 0o755), file('/usr/bin/dpkg', 0o755)] });
    expect(paths(ImageNoPackageManager, image)).toEqual(['/usr/bin/apt-get', '/usr/bin/dpkg']);
  });
  it('Non-compliance 2: npm and npx in the runtime image, as links and as a package', () => {
    const image = goodImage({
      add: [
        symlink('/usr/local/bin/npm', '../lib/node_modules/npm/bin/npm-cli.js'),
        symlink('/usr/local/bin/npx', '../lib/node_modules/npm/bin/npx-cli.js'),
        file('/usr/local/lib/node_modules/npm/package.json'),
      ],
    });
    expect(paths(ImageNoPackageManager, image)).toEqual([
      '/usr/local/bin/npm',
      '/usr/local/bin/npx',
      '/usr/local/lib/node_modules/npm',
    ]);
  });
  it('Non-compliance 3: apk', () => {
    expect(paths(ImageNoPackageManager, goodImage({ add: [file('/sbin/apk', 0o755)] }))).toEqual([
      '/sbin/apk',
    ]);
  });
});

describe('ImageNoDownloadTool', () => {
  it('Compliance 1: no curl, no wget', () => {
    expect(ImageNoDownloadTool.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Non-compliance 1: curl and wget by path', () => {
    const image = goodImage({ add: [file('/usr/bin/curl', 0o755), file('/usr/bin/wget', 0o755)] });
    expect(paths(ImageNoDownloadTool, image)).toEqual(['/usr/bin/curl', '/usr/bin/wget']);
  });
});

describe('ImageNoCompiler', () => {
  it('Compliance 1: no compiler; the dynamic loader is not one', () => {
    const image = goodImage({ add: [file('/lib64/ld-linux-x86-64.so.2', 0o755)] });
    expect(ImageNoCompiler.evaluate(image, context).status).toBe('compliant');
  });
  it('Non-compliance 1: gcc, versioned g++ and a cross cc', () => {
    const image = goodImage({
      add: [
        file('/usr/bin/gcc-12', 0o755),
        file('/usr/bin/g++', 0o755),
        file('/usr/bin/x86_64-linux-gnu-gcc', 0o755),
      ],
    });
    expect(paths(ImageNoCompiler, image)).toEqual([
      '/usr/bin/g++',
      '/usr/bin/gcc-12',
      '/usr/bin/x86_64-linux-gnu-gcc',
    ]);
  });
});

describe('ImageNoSetuidFiles', () => {
  it('Compliance 1: plain modes', () => {
    expect(ImageNoSetuidFiles.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Compliance 2: a setgid directory is not a setuid file', () => {
    expect(ImageNoSetuidFiles.evaluate(goodImage({ add: [dir('/var/mail', 0o2775)] }), context).status).toBe(
      'compliant',
    );
  });
  it('Non-compliance 1: setuid and setgid files, with their modes', () => {
    const image = goodImage({ add: [file('/usr/bin/su', 0o4755), file('/usr/bin/wall', 0o2755)] });
    expect(paths(ImageNoSetuidFiles, image)).toEqual(['/usr/bin/su', '/usr/bin/wall']);
    expect(messages(ImageNoSetuidFiles, image)).toMatch(
      /setuid \/usr\/bin\/su \(mode 4755\)[\s\S]*setgid \/usr\/bin\/wall \(mode 2755\)/,
    );
  });
});

describe('ImageNoWorldWritable', () => {
  it('Compliance 1: only /tmp, sticky', () => {
    expect(ImageNoWorldWritable.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Non-compliance 1: /tmp without the sticky bit', () => {
    expect(paths(ImageNoWorldWritable, goodImage({ add: [dir('/tmp', 0o777)] }))).toEqual(['/tmp']);
  });
  it('Non-compliance 2: a world-writable app directory and file', () => {
    const image = goodImage({ add: [dir('/app/cache', 0o777), file('/app/dist/server.js', 0o666)] });
    expect(paths(ImageNoWorldWritable, image)).toEqual(['/app/cache', '/app/dist/server.js']);
  });
  it('Non-compliance 3: sticky is allowed only on /tmp', () => {
    expect(paths(ImageNoWorldWritable, goodImage({ add: [dir('/var/tmp', 0o1777)] }))).toEqual(['/var/tmp']);
  });
});

describe('ImageNonRootUser', () => {
  it('Compliance 1: numeric uid and gid', () => {
    expect(ImageNonRootUser.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Compliance 2: numeric uid alone', () => {
    expect(ImageNonRootUser.evaluate(goodImage({ config: { user: '65532' } }), context).status).toBe(
      'compliant',
    );
  });
  it('Non-compliance 1: no USER runs as root', () => {
    expect(messages(ImageNonRootUser, goodImage({ config: { user: '' } }))).toContain('no USER');
  });
  it('Non-compliance 2: USER 0 and USER root', () => {
    expect(messages(ImageNonRootUser, goodImage({ config: { user: '0:0' } }))).toContain('USER 0:0 is root');
    expect(messages(ImageNonRootUser, goodImage({ config: { user: 'root' } }))).toContain(
      'USER root is root',
    );
  });
  it('Non-compliance 3: a name, even of a non-root user, cannot be verified by the platform', () => {
    expect(messages(ImageNonRootUser, goodImage({ config: { user: 'app' } }))).toContain(
      'use the number (1000)',
    );
    expect(messages(ImageNonRootUser, goodImage({ config: { user: 'ghost' } }))).toContain(
      'not in /etc/passwd',
    );
  });
  it('Non-compliance 4: a name that maps to uid 0', () => {
    const image = goodImage({
      config: { user: 'toor' },
      texts: { '/etc/passwd': 'toor:x:0:0::/:/sbin/nologin\n' },
    });
    expect(messages(ImageNonRootUser, image)).toContain('USER toor is root');
  });
});

describe('ImageHasHealthcheck', () => {
  it('Compliance 1: exec form, node on PATH, script in WORKDIR', () => {
    expect(ImageHasHealthcheck.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Compliance 2: the program reached through a symlink on PATH', () => {
    const image = goodImage({
      add: [symlink('/usr/local/bin/node', '/nodejs/bin/node')],
      config: { env: ['PATH=/usr/local/bin'] },
    });
    expect(ImageHasHealthcheck.evaluate(image, context).status).toBe('compliant');
  });
  it('Non-compliance 1: no HEALTHCHECK (as podman builds in OCI format)', () => {
    const { healthcheck: _dropped, ...config } = goodImage().config;
    const image = { ...goodImage(), config };
    expect(messages(ImageHasHealthcheck, image)).toContain('--format docker');
  });
  it('Non-compliance 2: HEALTHCHECK NONE', () => {
    expect(
      messages(ImageHasHealthcheck, goodImage({ config: { healthcheck: { test: ['NONE'] } } })),
    ).toContain('no HEALTHCHECK');
  });
  it('Non-compliance 3: shell form needs /bin/sh', () => {
    const image = goodImage({
      config: { healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } },
    });
    expect(messages(ImageHasHealthcheck, image)).toContain('runs through /bin/sh');
  });
  it('Non-compliance 4: a missing program and a missing script, by path', () => {
    const image = goodImage({
      remove: ['/app/dist/healthcheck.js'],
      config: { healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost/'] } },
    });
    expect(paths(ImageHasHealthcheck, image)).toEqual(['curl']);
    expect(paths(ImageHasHealthcheck, goodImage({ remove: ['/app/dist/healthcheck.js'] }))).toEqual([
      '/app/dist/healthcheck.js',
    ]);
  });
});

describe('ImageBasePinned', () => {
  it('Compliance 1: base and build image pinned by digest', () => {
    expect(ImageBasePinned.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Compliance 2: a matching base.digest label', () => {
    const labels = goodImage().config.labels;
    const image = goodImage({
      config: { labels: { ...labels, 'org.opencontainers.image.base.digest': `sha256:${'c'.repeat(64)}` } },
    });
    expect(ImageBasePinned.evaluate(image, context).status).toBe('compliant');
  });
  it('Non-compliance 1: no base label', () => {
    expect(messages(ImageBasePinned, goodImage({ config: { labels: {} } }))).toContain(
      'no org.opencontainers.image.base.name',
    );
  });
  it('Non-compliance 2: a tag is not a pin', () => {
    const image = goodImage({
      config: {
        labels: {
          'org.opencontainers.image.base.name': 'docker.io/library/node:20-bookworm-slim',
          'dev.berth.build-image': 'node:20',
        },
      },
    });
    const text = messages(ImageBasePinned, image);
    expect(text).toContain('base docker.io/library/node:20-bookworm-slim is not pinned by digest');
    expect(text).toContain('build stage base node:20 is not pinned by digest');
  });
  it('Non-compliance 3: base.digest that contradicts base.name', () => {
    const labels = goodImage().config.labels;
    const image = goodImage({
      config: { labels: { ...labels, 'org.opencontainers.image.base.digest': `sha256:${'e'.repeat(64)}` } },
    });
    expect(messages(ImageBasePinned, image)).toContain('does not match');
  });
});

describe('ImageExposesPort', () => {
  it('Compliance 1: the config port is exposed', () => {
    expect(ImageExposesPort.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Not applicable without a service port', () => {
    expect(ImageExposesPort.evaluate(goodImage(), {}).status).toBe('not-applicable');
  });
  it('Compliance 2: the config port is one of several exposed', () => {
    const image = goodImage({ config: { exposedPorts: ['9090/tcp', '4567/tcp'] } });
    expect(ImageExposesPort.evaluate(image, context).status).toBe('compliant');
  });
  it('Non-compliance 1: the config port differs from the exposed one; both are named, with the field to change', () => {
    const outcome = ImageExposesPort.evaluate(goodImage(), { service: 'frontend', port: 8080 });
    expect(outcome).toEqual({
      status: 'non-compliant',
      problems: [
        {
          message:
            'services.frontend.port is 8080, but the image EXPOSEs 4567, the port its server listens on: the load balancer and health checks would probe 8080, where nothing listens',
        },
      ],
    });
    expect(ImageExposesPort.fix).toContain('set services.<id>.port to the port');
    const [result] = evaluateImage(goodImage(), { port: 8080 }, [ImageExposesPort]);
    expect(result).toMatchObject({ level: 'error', status: 'non-compliant' });
  });
  it('Non-compliance 2: nothing exposed', () => {
    expect(messages(ImageExposesPort, goodImage({ config: { exposedPorts: [] } }), { port: 3000 })).toBe(
      "the config's port is 3000, but the image EXPOSEs no port: the load balancer and health checks would probe 3000, where nothing listens",
    );
  });
});

describe('ImageSizeBudget', () => {
  it('Compliance 1: within budget', () => {
    expect(ImageSizeBudget.evaluate(goodImage(), context).status).toBe('compliant');
  });
  it('Not applicable without a budget', () => {
    expect(ImageSizeBudget.evaluate(goodImage(), { port: 4567 }).status).toBe('not-applicable');
  });
  it('Non-compliance 1: over budget, by how much; an error, so the check fails', () => {
    expect(messages(ImageSizeBudget, goodImage(), { budgetBytes: 25_000_000 })).toBe(
      '38.0 MB compressed, over the 25.0 MB budget by 13.0 MB',
    );
    const [result] = evaluateImage(goodImage(), { budgetBytes: 25_000_000 }, [ImageSizeBudget]);
    expect(result).toMatchObject({ rule: 'ImageSizeBudget', level: 'error', status: 'non-compliant' });
  });
  it('Compliance 2: exactly at the budget', () => {
    expect(
      ImageSizeBudget.evaluate(goodImage({ compressedSize: 25_000_000 }), { budgetBytes: 25_000_000 }).status,
    ).toBe('compliant');
  });
});

describe('evaluateImage', () => {
  it('runs every rule and passes a hardened image', () => {
    const results = evaluateImage(goodImage(), context);
    expect(results.map((r) => [r.rule, r.status])).toEqual(
      [
        'ImageNoShell',
        'ImageNoPackageManager',
        'ImageNoDownloadTool',
        'ImageNoCompiler',
        'ImageNoSetuidFiles',
        'ImageNoWorldWritable',
        'ImageNonRootUser',
        'ImageHasHealthcheck',
        'ImageBasePinned',
        'ImageExposesPort',
        'ImageArchitectureMatches',
        'ImageRuntimeSupported',
        'ImageSizeBudget',
      ].map((id) => [id, 'compliant']),
    );
  });

  it('reports a rule that throws as an error instead of skipping it', () => {
    const broken: ImageRule = {
      ...ImageNoShell,
      id: 'Broken',
      level: 'warning',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    expect(evaluateImage(goodImage(), context, [broken])).toEqual([
      expect.objectContaining({
        rule: 'Broken',
        level: 'error',
        status: 'error',
        problems: [{ message: 'the rule threw: boom' }],
      }),
    ]);
  });
});
