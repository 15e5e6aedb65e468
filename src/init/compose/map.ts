import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { ServiceConfig } from '../../config/index.ts';
import { ENV_NAME_PATTERN, FARGATE_SIZES } from '../../config/index.ts';
import { UsageError } from '../../shared/errors.ts';
import { localCommand, looksLike, readFolder, serviceId } from '../folder.ts';
import type { Discovery, FoundService, ReportLine } from '../model.ts';
import type { ComposeFile } from './parse.ts';
import { managedService } from './databases.ts';

/** Why a compose key has no place in a berth config. Keys not listed get the generic reason. */
const NOT_MAPPED: Readonly<Record<string, string>> = {
  volumes:
    'Fargate tasks have no persistent local volumes and berth runs a read-only root with only /tmp writable; keep state in a managed store (S3, RDS, DynamoDB tables)',
  networks:
    'berth makes one VPC per app; services reach each other through Service Connect (SERVICE_<NAME>_URL)',
  network_mode: 'Fargate tasks use awsvpc networking only',
  restart: 'ECS replaces a task whose health check fails or that exits; there is no restart policy to set',
  container_name: 'ECS names tasks; a service is reached by its id through Service Connect',
  hostname: 'ECS names tasks; a service is reached by its id through Service Connect',
  labels: 'berth sets its own labels and tags',
  logging: 'logs go to CloudWatch Logs (logs.retentionDays in the config)',
  secrets: "compose secrets are files; put each value in SSM and name it under the service's secrets",
  configs: 'compose configs are files; bake them into the image or pass them as environment',
  cap_add: 'Fargate allows only SYS_PTRACE and berth drops every capability',
  privileged: 'Fargate never runs privileged containers',
  stdin_open: 'a Fargate task has no terminal; use berth exec (ECS Exec)',
  tty: 'a Fargate task has no terminal; use berth exec (ECS Exec)',
  extra_hosts: 'Fargate tasks cannot edit /etc/hosts',
  links: 'services reach each other through Service Connect (SERVICE_<NAME>_URL)',
  external_links: 'services reach each other through Service Connect (SERVICE_<NAME>_URL)',
  profiles: 'every service in the config is deployed',
  tmpfs: 'berth gives every container a writable /tmp and nothing else',
  working_dir: 'set WORKDIR in the Containerfile',
  stop_signal: 'set STOPSIGNAL in the Containerfile; ECS sends it on stop',
  stop_grace_period: 'berth uses shutdownSeconds (default 10): set it in the config if the app needs longer',
  develop: 'compose watch is a development loop; berth up --engine process runs the source as it is',
  platform: "set the service's architecture in the config (x86_64 or arm64)",
  pull_policy: 'berth builds or pulls by digest, never by a moving tag',
  expose: "the service's port is its only port",
  healthcheck: 'see the healthcheck lines',
};

const GENERIC = 'berth has no equivalent on Fargate';

/** Keys whose names say they hold a secret. */
const SECRET_NAME =
  /(pass(word|wd)?|secret|token|api_?key|private_?key|access_?key|credentials?|auth|dsn|database_url|connection_string|_key$)/i;
/** Values that carry a credential whatever their name: a URL with user:password@. */
const SECRET_VALUE = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

interface Ctx {
  readonly app: string;
  readonly projectDir: string;
  readonly composeDir: string;
  readonly composeName: string;
  readonly report: ReportLine[];
  readonly secrets: Record<string, string>;
}

/** Turns a validated compose file into berth services, reporting every key it did not carry over. */
export function mapCompose(compose: ComposeFile, options: { app: string; projectDir: string }): Discovery {
  const ctx: Ctx = {
    app: options.app,
    projectDir: options.projectDir,
    composeDir: path.dirname(compose.file),
    composeName: path.relative(options.projectDir, compose.file) || path.basename(compose.file),
    report: [],
    secrets: {},
  };
  for (const key of Object.keys(compose.data)) {
    if (key === 'services' || key === 'name') continue;
    if (key === 'version') {
      ctx.report.push({ key, kind: 'not-mapped', message: 'obsolete in the Compose specification; ignored' });
    } else
      ctx.report.push({
        key,
        kind: 'not-mapped',
        message: key.startsWith('x-')
          ? 'an extension field, for compose itself'
          : (NOT_MAPPED[key] ?? GENERIC),
      });
  }
  const services: FoundService[] = [];
  const ids = new Map<string, string>();
  for (const [name, raw] of Object.entries(compose.data.services ?? {})) {
    const found = mapService(name, raw ?? {}, ctx, ids);
    if (found) services.push(found);
  }
  if (services.length === 0)
    throw new UsageError(
      `${ctx.composeName} has no service berth can deploy: none has a build context or an image pinned by digest (databases become managed AWS services); add build: to your own services`,
    );
  return { source: ctx.composeName, services, secrets: ctx.secrets, report: ctx.report };
}

function mapService(
  name: string,
  svc: Record<string, unknown>,
  ctx: Ctx,
  ids: Map<string, string>,
): FoundService | undefined {
  const at = `services.${name}`;
  const note = (key: string, kind: ReportLine['kind'], message: string) =>
    ctx.report.push({ key: key ? `${at}.${key}` : at, kind, message });
  const image = typeof svc.image === 'string' ? svc.image : undefined;
  const managed = image ? managedService(image) : undefined;
  if (managed && svc.build === undefined) {
    note(
      'image',
      'database',
      `${image} is not made a Fargate service: on AWS use ${managed}; berth's config cannot create it yet, so give the services its connection string as a secret`,
    );
    return undefined;
  }
  const id = serviceId(name);
  if (ids.has(id)) {
    note('', 'not-mapped', `its id would be '${id}', like services.${ids.get(id)}; rename one`);
    return undefined;
  }
  const config: { -readonly [K in keyof ServiceConfig]?: ServiceConfig[K] } = {};
  const why: Partial<Record<keyof ServiceConfig, string>> = {};
  let folder: ReturnType<typeof readFolder> | undefined;

  // The image: a build context of this project, or an existing image pinned by digest.
  if (svc.build !== undefined) {
    const build =
      typeof svc.build === 'string' ? { context: svc.build } : (svc.build as Record<string, unknown>);
    const context = typeof build.context === 'string' ? build.context : '.';
    if (/^[a-z]+:\/\/|^git@/.test(context)) {
      note(
        'build.context',
        'not-mapped',
        `${context} is a remote context; berth builds from a folder of this project: clone it in and point build at it`,
      );
      return undefined;
    }
    const dir = path.resolve(ctx.composeDir, context);
    const relative = `./${path.relative(ctx.projectDir, dir).split(path.sep).join('/')}`.replace(
      /^\.\/$/,
      '.',
    );
    const image: { context: string; file?: string; args?: Record<string, string> } = { context: relative };
    if (typeof build.dockerfile === 'string') image.file = build.dockerfile;
    else if (existsSync(dir)) {
      folder = readFolder(dir);
      image.file = folder.containerfile ?? 'Dockerfile';
    }
    const args = listOrDict(build.args);
    if (Object.keys(args.values).length > 0) image.args = args.values;
    for (const key of args.unset)
      note(
        `build.args.${key}`,
        'not-mapped',
        'has no value (compose takes it from your shell); pass it with berth up --build-arg',
      );
    for (const key of Object.keys(build))
      if (!['context', 'dockerfile', 'args'].includes(key))
        note(`build.${key}`, 'not-mapped', 'berth builds with context, Containerfile and args only');
    config.image = image;
    why.image = `from ${at}.build`;
    folder ??= existsSync(dir) ? readFolder(dir) : undefined;
    if (image && svc.image !== undefined)
      note('image', 'not-mapped', 'the service is built; berth tags the image itself');
  } else if (image && /@sha256:[a-f0-9]{64}$/.test(image)) {
    config.image = { ref: image };
    why.image = `from ${at}.image, pinned by digest`;
  } else {
    note(
      'image',
      'not-mapped',
      `${image ?? 'no image'} is not built here nor pinned by digest; berth deploys only what it builds or a digest (pin it: skopeo inspect docker://${image ?? 'IMAGE'})`,
    );
    return undefined;
  }

  // The port the container listens on; a published port has no use behind berth's edge.
  const ports = Array.isArray(svc.ports) ? svc.ports : [];
  const parsed = ports.map(containerPort);
  const first = parsed[0];
  if (first) {
    config.port = first.target;
    why.port = `the container port of ${at}.ports[0]`;
    if (first.published)
      note(
        'ports',
        'mapped',
        `container port ${first.target} kept; published ${first.published} is not needed: berth up serves it through its edge (https://<host>.${ctx.app}.localhost:8443)`,
      );
    for (const [i, p] of parsed.entries())
      if (i > 0)
        note(
          `ports.${i}`,
          'not-mapped',
          `${p?.target ?? 'this port'}: a berth service has one port behind the load balancer`,
        );
  } else if (Array.isArray(svc.expose) && svc.expose.length > 0) {
    config.port = Number(String(svc.expose[0]).split('/')[0]);
    why.port = `${at}.expose[0]`;
  } else if (folder?.exposed) {
    config.port = folder.exposed;
    why.port = `EXPOSE in the Containerfile`;
  } else {
    config.port = 8080;
    why.port = 'no ports in the compose file: berth passes PORT, so the server must listen on it';
    note('ports', 'not-mapped', 'none given; the port is 8080 and PORT tells the server');
  }

  mapEnvironment(svc, at, ctx, config, why, note, id);
  mapHealthCheck(svc, config, why, note, folder);

  if (Array.isArray(svc.depends_on) || (svc.depends_on && typeof svc.depends_on === 'object')) {
    const deps = Array.isArray(svc.depends_on) ? (svc.depends_on as string[]) : Object.keys(svc.depends_on);
    note(
      'depends_on',
      'mapped',
      `${deps.join(', ')}: no start order to keep; each service reaches another at SERVICE_<NAME>_URL, and traffic waits for health checks`,
    );
  }
  const command = svc.command;
  if (command !== undefined) {
    const words = Array.isArray(command) ? (command as string[]) : String(command).trim().split(/\s+/);
    if (config.image && 'context' in config.image && Array.isArray(command)) {
      config.local = { command: words };
      why.local = `${at}.command, for berth up --engine process; the image keeps its own CMD`;
      note(
        'command',
        'mapped',
        'to local.command (the process engine); set CMD in the Containerfile for the image',
      );
    } else
      note(
        'command',
        'not-mapped',
        `set CMD ${JSON.stringify(words)} in the Containerfile: the task runs the image's own command`,
      );
  }
  if (!config.local && folder?.node?.start) {
    const local = localCommand(folder.node.start);
    config.local = { command: local.command };
    why.local = `berth up --engine process: ${local.why}`;
  }
  if (svc.entrypoint !== undefined)
    note('entrypoint', 'not-mapped', "set ENTRYPOINT in the Containerfile: the task runs the image's own");
  if (svc.user !== undefined) {
    const uid = /^(\d+)(:\d+)?$/.exec(String(svc.user));
    if (uid && Number(uid[1]) >= 1 && Number(uid[1]) <= 65534) {
      config.user = Number(uid[1]);
      why.user = `${at}.user`;
    } else
      note(
        'user',
        'not-mapped',
        `${String(svc.user)}: berth needs a numeric uid 1-65534 (not root); the default is 1000`,
      );
  }
  if (svc.read_only !== undefined)
    note(
      'read_only',
      svc.read_only === true ? 'mapped' : 'not-mapped',
      svc.read_only === true
        ? 'berth always runs a read-only root filesystem'
        : 'berth always runs a read-only root filesystem, with /tmp writable; write elsewhere to S3 or a database',
    );
  mapDeploy(svc, config, why, note);
  for (const key of Object.keys(svc)) {
    if (HANDLED.has(key)) continue;
    note(
      key,
      'not-mapped',
      key.startsWith('x-') ? 'an extension field, for compose itself' : (NOT_MAPPED[key] ?? GENERIC),
    );
  }
  ids.set(id, name);
  return {
    id,
    config: config as FoundService['config'],
    why,
    looks: looksLike(id, folder),
    offered: [],
  };
}

const HANDLED = new Set([
  'build',
  'image',
  'ports',
  'environment',
  'env_file',
  'healthcheck',
  'depends_on',
  'command',
  'entrypoint',
  'user',
  'read_only',
  'deploy',
]);

type Note = (key: string, kind: ReportLine['kind'], message: string) => void;
type Draft = { -readonly [K in keyof ServiceConfig]?: ServiceConfig[K] };
type Why = Partial<Record<keyof ServiceConfig, string>>;

function mapEnvironment(
  svc: Record<string, unknown>,
  at: string,
  ctx: Ctx,
  config: Draft,
  why: Why,
  note: Note,
  id: string,
): void {
  const values: Record<string, { value: string; from: string }> = {};
  for (const [i, entry] of envFiles(svc.env_file).entries()) {
    const file = path.resolve(ctx.composeDir, entry.path);
    const key = `env_file${Array.isArray(svc.env_file) ? `.${i}` : ''}`;
    if (!existsSync(file)) {
      note(
        key,
        'not-mapped',
        `${entry.path} does not exist${entry.required ? '' : ' (optional)'}; nothing read`,
      );
      continue;
    }
    for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8'))))
      if (value !== undefined) values[name] = { value, from: `${key} (${entry.path})` };
  }
  const env = listOrDict(svc.environment);
  for (const [name, value] of Object.entries(env.values))
    values[name] = { value, from: `environment.${name}` };
  for (const name of env.unset)
    note(
      `environment.${name}`,
      'not-mapped',
      'has no value (compose takes it from your shell); set it in the config or .berth/environment.local.json',
    );
  const environment: Record<string, string> = {};
  const secrets: Record<string, { ssm: string }> = {};
  for (const [name, { value, from }] of Object.entries(values)) {
    if (!ENV_NAME_PATTERN.test(name)) {
      note(from, 'not-mapped', `${name} is not a variable name ECS accepts`);
      continue;
    }
    if (/\$\{?[A-Za-z_]/.test(value) && !SECRET_NAME.test(name)) {
      note(
        from,
        'not-mapped',
        `${name} uses compose's \${...} interpolation, which berth does not do; write the value`,
      );
      continue;
    }
    if (SECRET_NAME.test(name) || SECRET_VALUE.test(value)) {
      const parameter = `/${ctx.app}/${id}/${name}`;
      secrets[name] = { ssm: parameter };
      ctx.secrets[parameter] = `<${name} for local runs>`;
      note(
        from,
        'mapped',
        `${name} looks like a secret: secrets.${name} reads SSM ${parameter}; its local value goes in .berth/secrets.local.json (a placeholder is there), never in the config`,
      );
    } else environment[name] = value;
  }
  if (Object.keys(environment).length > 0) {
    config.environment = environment;
    why.environment = `${at}.environment and env_file, without the values that look like secrets`;
  }
  if (Object.keys(secrets).length > 0) {
    config.secrets = secrets;
    why.secrets =
      'values that look like secrets, as SSM SecureString parameters (create them before deploying)';
  }
}

function mapHealthCheck(
  svc: Record<string, unknown>,
  config: Draft,
  why: Why,
  note: Note,
  folder: ReturnType<typeof readFolder> | undefined,
): void {
  const hc = (svc.healthcheck ?? {}) as Record<string, unknown>;
  const healthCheck: {
    -readonly [K in keyof NonNullable<ServiceConfig['healthCheck']>]?: NonNullable<
      ServiceConfig['healthCheck']
    >[K];
  } = {};
  const test = hc.test;
  const words = Array.isArray(test)
    ? (test as string[])
    : typeof test === 'string'
      ? ['CMD-SHELL', test]
      : [];
  const shell = words[0] === 'CMD-SHELL' ? words.slice(1).join(' ') : undefined;
  const exec = words[0] === 'CMD' ? words.slice(1) : undefined;
  const probe = shell ?? (exec && /^(curl|wget)$/.test(exec[0] ?? '') ? exec.join(' ') : undefined);
  if (hc.disable === true || words[0] === 'NONE') {
    note(
      'healthcheck',
      'not-mapped',
      'disabled; berth needs a health check, so the load balancer probes the path below',
    );
  } else if (probe !== undefined) {
    const url =
      /\b(?:curl|wget)\b[^|;&]*?\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?(\/[^\s'"|;&]*)?/.exec(
        probe,
      );
    if (url) {
      healthCheck.path = url[1] ?? '/';
      note(
        'healthcheck.test',
        'mapped',
        `${shell !== undefined ? 'shell-form ' : ''}${probe.split(/\s+/)[0]} check turned into healthCheck.path ${healthCheck.path}: the load balancer probes it, and the image needs no curl or shell`,
      );
    } else
      note(
        'healthcheck.test',
        'not-mapped',
        `\`${probe}\` names no local URL berth recognises; set healthCheck.path and, if you want one, an exec-form healthCheck.command`,
      );
  } else if (shell !== undefined) {
    note(
      'healthcheck.test',
      'not-mapped',
      `shell form \`${shell}\` needs a shell in the image; write an exec-form command (["node", "healthcheck.js"]) as healthCheck.command`,
    );
  } else if (exec && exec.length > 0) {
    healthCheck.command = exec;
    note('healthcheck.test', 'mapped', "exec form kept as healthCheck.command (the task's health check)");
  }
  if (!healthCheck.path) healthCheck.path = folder?.healthPath?.path ?? '/';
  const interval = seconds(hc.interval);
  if (interval !== undefined) healthCheck.interval = clamp(interval, 5, 300);
  const timeout = seconds(hc.timeout);
  if (timeout !== undefined)
    healthCheck.timeout = clamp(timeout, 2, Math.min(120, (healthCheck.interval ?? 15) - 1));
  if (typeof hc.retries === 'number') healthCheck.unhealthyThreshold = clamp(hc.retries, 2, 10);
  if (hc.start_period !== undefined || hc.start_interval !== undefined)
    note('healthcheck.start_period', 'not-mapped', 'ECS gives new tasks a grace period of its own');
  config.healthCheck = healthCheck as ServiceConfig['healthCheck'];
  why.healthCheck = svc.healthcheck
    ? 'from the compose healthcheck; the load balancer probes path and wants a 200'
    : folder?.healthPath
      ? `${folder.healthPath.path} is named in ${folder.healthPath.file}; the load balancer wants a 200 there`
      : 'no health check in the compose file: the load balancer probes / and wants a 200; point it at a health route';
}

function mapDeploy(svc: Record<string, unknown>, config: Draft, why: Why, note: Note): void {
  const deploy = svc.deploy as Record<string, unknown> | undefined;
  if (!deploy) return;
  const limits = ((deploy.resources as Record<string, unknown> | undefined)?.limits ?? {}) as Record<
    string,
    unknown
  >;
  if (limits.cpus !== undefined || limits.memory !== undefined) {
    const size = fargateSize(Number(limits.cpus ?? 0.25), memoryMiB(limits.memory) ?? 512);
    config.cpu = size.cpu;
    config.memory = size.memory;
    why.cpu = `deploy.resources.limits (cpus ${String(limits.cpus ?? '-')}, memory ${String(limits.memory ?? '-')}), rounded up to a Fargate size`;
    note(
      'deploy.resources.limits',
      'mapped',
      `cpu ${size.cpu} units, memory ${size.memory} MiB: the smallest Fargate size that holds the limits`,
    );
  }
  if (typeof deploy.replicas === 'number') {
    const n = Math.max(1, Math.min(100, deploy.replicas));
    config.scaling = { min: n, desired: n, max: Math.max(n, 4) };
    why.scaling = `deploy.replicas ${deploy.replicas}, as the minimum; autoscaling may add tasks up to max`;
    note('deploy.replicas', 'mapped', `scaling.min and desired ${n}`);
  }
  for (const key of Object.keys(deploy)) {
    if (key === 'replicas') continue;
    if (key === 'resources') {
      for (const sub of Object.keys(deploy.resources as object))
        if (sub !== 'limits')
          note(`deploy.resources.${sub}`, 'not-mapped', 'Fargate reserves the task size itself');
      continue;
    }
    note(
      `deploy.${key}`,
      'not-mapped',
      key === 'restart_policy'
        ? NOT_MAPPED.restart!
        : key === 'update_config'
          ? 'berth deploys with ECS rolling updates and a circuit breaker'
          : GENERIC,
    );
  }
}

/** The smallest Fargate CPU and memory that hold the compose limits. */
export function fargateSize(cpus: number, memory: number): { cpu: number; memory: number } {
  for (const [cpuText, memories] of Object.entries(FARGATE_SIZES)) {
    const cpu = Number(cpuText);
    if (cpu < cpus * 1024) continue;
    const fit = memories.find((m) => m >= memory);
    if (fit !== undefined) return { cpu, memory: fit };
  }
  return { cpu: 16384, memory: 122880 };
}

/** Compose memory: a byte count or a number with b, k, m, g (kb, mb, gb too). */
function memoryMiB(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.ceil(value / 1048576);
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(String(value ?? '').trim());
  if (!m) return undefined;
  const factor = { b: 1 / 1048576, k: 1 / 1024, m: 1, g: 1024 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.ceil(Number(m[1]) * factor);
}

/** Compose durations (`1m30s`, `10s`, `500ms`) in whole seconds. */
function seconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g))
    total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 }[unit as 's'] ?? 0);
  return Math.max(1, Math.round(total));
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** `environment` and `build.args`: a map, or a list of `NAME=value` (a bare `NAME` has no value). */
function listOrDict(value: unknown): { values: Record<string, string>; unset: string[] } {
  const values: Record<string, string> = {};
  const unset: string[] = [];
  if (Array.isArray(value)) {
    for (const entry of value as string[]) {
      const eq = entry.indexOf('=');
      if (eq === -1) unset.push(entry);
      else values[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) unset.push(k);
      else values[k] = String(v);
    }
  }
  return { values, unset };
}

function envFiles(value: unknown): { path: string; required: boolean }[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((entry: unknown) =>
    typeof entry === 'string'
      ? { path: entry, required: true }
      : {
          path: String((entry as { path: string }).path),
          required: (entry as { required?: boolean }).required !== false,
        },
  );
}

/** A `ports` entry: `"8080:3000"`, `"127.0.0.1:8080:3000/tcp"`, `3000`, or `{ target, published }`. */
function containerPort(entry: unknown): { target: number; published?: string } | undefined {
  if (typeof entry === 'number') return { target: entry };
  if (typeof entry === 'string') {
    const parts = entry.split('/')[0]!.split(':');
    const target = Number(parts.at(-1)!.split('-')[0]);
    return Number.isInteger(target)
      ? { target, ...(parts.length > 1 ? { published: parts.at(-2)! } : {}) }
      : undefined;
  }
  if (entry && typeof entry === 'object' && 'target' in entry) {
    const e = entry as { target: number | string; published?: number | string };
    return {
      target: Number(e.target),
      ...(e.published !== undefined ? { published: String(e.published) } : {}),
    };
  }
  return undefined;
}
