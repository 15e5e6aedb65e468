import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CaddyEdge {
  readonly httpsPort: number;
  stop(): Promise<void>;
}

/**
 * Caddy (Debian package `caddy`), the local HTTPS proxy many developers use, doing berth's edge's
 * job for one backend: TLS from its own internal CA (`tls internal`), the host rule for
 * `api.<app>.localhost`, and `reverse_proxy` (keep-alive to the upstream, X-Forwarded-* headers).
 * Its defaults otherwise: no access log, all cores (GOMAXPROCS). State stays in `dir`; nothing is
 * installed into the system trust store.
 */
export async function startCaddy(options: {
  dir: string;
  httpsPort: number;
  httpPort: number;
  host: string;
  upstreamPort: number;
}): Promise<CaddyEdge> {
  mkdirSync(options.dir, { recursive: true });
  const caddyfile = path.join(options.dir, 'Caddyfile');
  writeFileSync(
    caddyfile,
    `{
\tadmin off
\tskip_install_trust
\thttp_port ${options.httpPort}
\thttps_port ${options.httpsPort}
\tauto_https disable_redirects
\tstorage file_system ${options.dir}/data
}

https://${options.host}:${options.httpsPort} {
\tbind 127.0.0.1
\ttls internal
\treverse_proxy 127.0.0.1:${options.upstreamPort}
}

# wrk sends the URL's host, 127.0.0.1, as SNI: a certificate for it, and 404 for other hosts.
https://127.0.0.1:${options.httpsPort} {
\tbind 127.0.0.1
\ttls internal
\trespond 404
}
`,
  );
  let stderr = '';
  const child: ChildProcess = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.dir,
      XDG_DATA_HOME: path.join(options.dir, 'data'),
      XDG_CONFIG_HOME: path.join(options.dir, 'config'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 20_000;
  // Ready once it has issued its certificate and answers over TLS.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited ${child.exitCode}: ${stderr.slice(-2000)}`);
    if (/certificate obtained successfully|serving initial configuration/.test(stderr)) {
      await sleep(300);
      break;
    }
    if (Date.now() > deadline) throw new Error(`caddy did not start within 20 s: ${stderr.slice(-2000)}`);
    await sleep(100);
  }
  return {
    httpsPort: options.httpsPort,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
