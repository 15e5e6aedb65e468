import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';

import { ASSETS_PREFIX, IMMUTABLE, REVALIDATE } from '../responses.ts';
import { securityHeaderOptions } from '../security-headers.ts';

/**
 * The port nginx listens on in the image. Fixed: nginx reads no environment for `listen`, so the
 * image ignores PORT; the Containerfile EXPOSEs it and the health check (healthcheck.c) probes it.
 */
export const IMAGE_PORT = 3000;

/** Where the files are, inside the image or in a test's folder. */
export interface NginxConfigOptions {
  /** `listen` address: a port, or `127.0.0.1:PORT`. @default `IMAGE_PORT` (3000) */
  readonly listen?: string;
  /** The vite build output. @example '/app/dist' */
  readonly root: string;
  /** The njs script written by generate.ts. @example '/app/nginx/cruddur.js' */
  readonly script: string;
  /** The generated security-headers.conf. @example '/app/nginx/security-headers.conf' */
  readonly headersFile: string;
  /** The only writable folder: pid file and temp paths. @default '/tmp' */
  readonly tempDir?: string;
  /** @default '/usr/lib/nginx/modules/ngx_http_js_module.so' (Debian's and nginx.org's packages) */
  readonly jsModule?: string;
  /** @default '/etc/nginx/mime.types' */
  readonly mimeTypes?: string;
}

export interface SecurityHeader {
  readonly name: string;
  readonly value: string;
}

/** njs sets this variable per request to the API's `connect-src` source (njs.ts connectSource). */
const CONNECT_SOURCE_VARIABLE = '$cruddur_connect_source';
/** A Host that cannot occur in a real request, to find where the per-request source goes in the policy. */
const PLACEHOLDER_HOST = 'berth-connect-source.invalid';

/**
 * The security headers the Fastify server sends, read from @fastify/helmet itself with the
 * server's own options: whatever helmet adds to a bare response. The API source in the content
 * security policy becomes an nginx variable, filled per request by njs.
 */
export async function securityHeaders(): Promise<SecurityHeader[]> {
  const headersOf = async (withHelmet: boolean) => {
    const app = Fastify();
    if (withHelmet) await app.register(fastifyHelmet, securityHeaderOptions(undefined));
    app.get('/', async () => 'ok');
    const response = await app.inject({ url: '/', headers: { host: PLACEHOLDER_HOST } });
    await app.close();
    return response.headers;
  };
  const plain = await headersOf(false);
  const secured = await headersOf(true);
  const headers: SecurityHeader[] = [];
  for (const [name, value] of Object.entries(secured)) {
    if (name in plain || value === undefined) continue;
    const text = String(value);
    const placeholder = `api.${PLACEHOLDER_HOST}`;
    if (name === 'content-security-policy' && text.split(placeholder).length !== 2)
      throw new Error(`the content security policy does not name the API source once: ${text}`);
    headers.push({ name: canonical(name), value: text.replace(placeholder, CONNECT_SOURCE_VARIABLE) });
  }
  if (!headers.some((h) => h.name === 'Content-Security-Policy'))
    throw new Error('helmet sent no Content-Security-Policy; check securityHeaderOptions');
  return headers.sort((a, b) => a.name.localeCompare(b.name));
}

/** `add_header ... always` lines: on every response, errors included, as helmet does. */
export function securityHeadersConf(headers: readonly SecurityHeader[]): string {
  return `${header('Security headers of the Fastify server (securityHeaderOptions).')}${headers
    .map((h) => `add_header ${h.name} ${quote(h.value)} always;\n`)
    .join('')}`;
}

/**
 * nginx.conf for the frontend image: the same answers as the Fastify server (src/server/app.ts)
 * for a read-only root filesystem and a non-root user. Everything writable is in `tempDir`.
 */
export function nginxConf(options: NginxConfigOptions): string {
  const temp = (options.tempDir ?? '/tmp').replace(/\/$/, '');
  const include = `include ${quote(options.headersFile)};`;
  const cache = (value: string) => `add_header Cache-Control ${quote(value)};`;
  return `${header('The frontend image: nginx serving the SPA as the Fastify server does.')}load_module ${quote(options.jsModule ?? '/usr/lib/nginx/modules/ngx_http_js_module.so')};

daemon off;
worker_processes auto;
pid ${quote(`${temp}/nginx.pid`)};
error_log stderr warn;
# njs reads it for /config.json and connect-src, as the Fastify server reads its environment.
env BACKEND_URL;

events {
  worker_connections 1024;
}

http {
  include ${quote(options.mimeTypes ?? '/etc/nginx/mime.types')};
  default_type application/octet-stream;
  charset utf-8;
  # As the Fastify server: charset on text and scripts, not on images or JSON (which says its own).
  charset_types text/css text/plain application/javascript;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65s;

  client_body_temp_path ${quote(`${temp}/client_body`)};
  proxy_temp_path ${quote(`${temp}/proxy`)};
  fastcgi_temp_path ${quote(`${temp}/fastcgi`)};
  uwsgi_temp_path ${quote(`${temp}/uwsgi`)};
  scgi_temp_path ${quote(`${temp}/scgi`)};

  log_format json escape=json '{"time":"$time_iso8601","remote":"$remote_addr","method":"$request_method",'
                              '"url":"$request_uri","status":$status,"bytes":$body_bytes_sent,'
                              '"seconds":$request_time,"agent":"$http_user_agent"}';
  access_log /dev/stdout json;

  js_import cruddur from ${quote(options.script)};
  js_set ${CONNECT_SOURCE_VARIABLE} cruddur.connectSource;
  js_set $cruddur_env_error cruddur.envError;

  server {
    listen ${options.listen ?? String(IMAGE_PORT)};
    root ${quote(options.root)};
    etag on;

    # A BACKEND_URL the Fastify server would refuse to start with: every request fails (500, logged),
    # so the health check fails and the task is replaced rather than serving a wrong config.
    if ($cruddur_env_error) {
      return 500;
    }
    error_page 500 @server_error;
    # Only GET and HEAD have files; anything else is answered as the Fastify server does (404).
    if ($request_method !~ ^(GET|HEAD)$) {
      return 404;
    }
    error_page 404 @not_found;

    location = / {
      try_files /index.html @not_found;
      ${include}
      ${cache(REVALIDATE)}
    }

    location / {
      try_files $uri @not_found;
      ${include}
      ${cache(REVALIDATE)}
    }

    location ${ASSETS_PREFIX} {
      try_files $uri @not_found;
      ${include}
      ${cache(IMMUTABLE)}
    }

    # A path ending in / names a folder: no listing and no index.html of a subfolder, the
    # page for a navigation and a 404 otherwise.
    location ~ ^/.+/$ {
      js_content cruddur.notFound;
      ${include}
    }

    location = /config.json {
      js_content cruddur.runtimeConfig;
      ${include}
      ${cache(REVALIDATE)}
    }

    location @not_found {
      js_content cruddur.notFound;
      ${include}
    }

    location @server_error {
      js_content cruddur.serverError;
      ${include}
    }
  }
}
`;
}

function header(what: string): string {
  return `# ${what}\n# Generated by examples/cruddur/frontend/src/server/nginx/generate.ts (npm run build); do not edit.\n\n`;
}

/** An nginx string: double-quoted; the only variable allowed is the connect source. */
function quote(value: string): string {
  if (value.replaceAll(CONNECT_SOURCE_VARIABLE, '').includes('$'))
    throw new Error(`unexpected $ in an nginx value: ${value}`);
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** `x-frame-options` -> `X-Frame-Options`, as helmet writes them. */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
}
