import { describe, expect, it } from 'vitest';
import { majorVersion, requireLayerFiles } from '../../src/images/base-images.ts';
import { BerthError } from '../../src/shared/errors.ts';
import type { LayerEntry } from '../../src/images/oci-layout.ts';

// The checks makeLocalNginxBaseImages runs before it writes a layer; the whole function runs in
// containers.test.ts, on this machine's Debian packages.

describe('majorVersion (of gcc -dumpversion)', () => {
  it.each([
    ['12\n', '12'],
    ['12.2.0\n', '12'],
    ['14', '14'],
  ])('%j gives gcc-%s', (output, major) => {
    expect(majorVersion(output)).toBe(major);
  });

  it('refuses output that is not a version, with the install command', () => {
    expect(() => majorVersion('gcc: fatal error\n')).toThrow(BerthError);
    expect(() => majorVersion('')).toThrow('reinstall gcc (Debian: apt-get install -y gcc libc6-dev)');
  });
});

describe('requireLayerFiles', () => {
  const REQUIRED = ['/usr/sbin/nginx', '/usr/lib/nginx/modules/ngx_http_js_module.so'];
  const FROM = {
    packages: ['nginx', 'libnginx-mod-http-js'],
    install: 'apt-get install -y nginx libnginx-mod-http-js',
  };
  const file = (path: string): LayerEntry => ({ type: 'file', path, mode: 0o755, content: '' });

  it('passes when every required file is in the layer, with or without the leading slash', () => {
    expect(() =>
      requireLayerFiles(
        [file('/usr/sbin/nginx'), file('usr/lib/nginx/modules/ngx_http_js_module.so')],
        REQUIRED,
        FROM,
      ),
    ).not.toThrow();
  });

  it('names the missing nginx binary, the packages looked in and the apt-get command', () => {
    const missing = () =>
      requireLayerFiles([file('/usr/lib/nginx/modules/ngx_http_js_module.so')], REQUIRED, FROM);
    expect(missing).toThrow(BerthError);
    expect(missing).toThrow(
      '/usr/sbin/nginx is not among the files of the installed Debian packages nginx, libnginx-mod-http-js, and the base image needs it; install or repair them: apt-get install -y nginx libnginx-mod-http-js',
    );
  });

  it('names both when both are missing; a directory of that name does not count', () => {
    const entries: LayerEntry[] = [{ type: 'directory', path: '/usr/sbin/nginx', mode: 0o755 }];
    expect(() => requireLayerFiles(entries, REQUIRED, FROM)).toThrow(
      '/usr/sbin/nginx and /usr/lib/nginx/modules/ngx_http_js_module.so are not among the files',
    );
  });
});
