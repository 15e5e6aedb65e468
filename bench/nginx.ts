import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface NginxEdge {
  readonly httpsPort: number;
  stop(): Promise<void>;
}

/**
 * nginx (Debian package `nginx`) doing the same job as berth's edge for one backend: TLS with the
 * same certificate, the host rule for `api.<app>.localhost`, keep-alive to the upstream, X-Forwarded
 * headers, and a fixed 404 for other hosts. One worker, as the edge is one process.
 */
export async function startNginx(options: {
  dir: string;
  httpsPort: number;
  host: string;
  upstreamPort: number;
  cert: string;
  key: string;
}): Promise<NginxEdge> {
  mkdirSync(path.join(options.dir, 'logs'), { recursive: true });
  const conf = path.join(options.dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
error_log ${options.dir}/logs/error.log warn;
pid ${options.dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${options.dir}/body;
  proxy_temp_path ${options.dir}/proxy;
  fastcgi_temp_path ${options.dir}/fastcgi;
  uwsgi_temp_path ${options.dir}/uwsgi;
  scgi_temp_path ${options.dir}/scgi;
  upstream backend { server 127.0.0.1:${options.upstreamPort}; keepalive 64; }
  ssl_certificate ${options.cert};
  ssl_certificate_key ${options.key};
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:${options.httpsPort} ssl default_server;
    return 404;
  }
  server {
    listen 127.0.0.1:${options.httpsPort} ssl;
    server_name ${options.host};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Port $server_port;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-c', conf, '-p', options.dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null)
    throw new Error(`nginx exited ${child.exitCode}; see ${options.dir}/logs/error.log`);
  return {
    httpsPort: options.httpsPort,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}
