import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_CONFIG_FILE,
  DOMAIN_PATTERN,
  NAME_PATTERN,
  parseConfig,
  type ServiceConfig,
} from '../config/index.ts';
import { UsageError } from '../shared/errors.ts';
import { mapCompose } from './compose/map.ts';
import { readCompose } from './compose/parse.ts';
import type { Discovery, FoundService, PlannedFile, ReportLine, ServiceRole } from './model.ts';
import { Group, renderConfig, type CommentedObject } from './render-config.ts';
import { scanFolders } from './scan.ts';

/** Compose file names `docker compose` looks for, in its order. */
const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
/** Placeholders that pass validation and are plainly not real: `berth synth` and `up` work, a deploy needs the real ones. */
const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_ZONE = 'ZREPLACEWITHYOURZONEID';
const LOCAL_SECRETS = '.berth/secrets.local.json';
const NONE = 'none';

/**
 * The questions `berth init` may ask, answered by the CLI on a terminal. Without one, every
 * answer is the inferred default (`--yes`, or no TTY).
 */
export interface InitQuestions {
  text(question: string, suggested: string, check: (answer: string) => string | undefined): Promise<string>;
  choose(question: string, choices: readonly string[], suggested: string): Promise<string>;
  confirm(question: string, suggested: boolean): Promise<boolean>;
}

export interface InitOptions {
  /** The project folder: where the config is written. */
  readonly dir: string;
  /** A compose file to import; by default one in `dir` is used if there is one. */
  readonly from?: string;
  readonly app?: string;
  readonly domain?: string;
  /** The service on the apex host. */
  readonly frontend?: string;
  /** The service on the `api.` host, or 'none'. */
  readonly api?: string;
  /** Replace an existing config. */
  readonly force?: boolean;
  readonly questions?: InitQuestions;
}

export interface InitResult {
  readonly configFile: string;
  /** `folders`, or the compose file the services came from. */
  readonly source: string;
  readonly app: string;
  readonly domain: string;
  readonly services: readonly { readonly id: string; readonly role: ServiceRole; readonly context: string }[];
  /** Files written or appended to, relative to `dir`. */
  readonly written: readonly string[];
  readonly report: readonly ReportLine[];
}

/**
 * `berth init`: finds the services of a project (its folders, or a compose file), asks what it
 * cannot infer, and writes `berth.config.ts` with a reason for each choice, berth's Containerfile
 * where a Node.js service has none, the `.gitignore` lines and the local secrets placeholders.
 * Everything is decided and validated before the first file is written.
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.dir);
  const configFile = path.join(dir, DEFAULT_CONFIG_FILE);
  if (existsSync(configFile) && !options.force)
    throw new UsageError(`${DEFAULT_CONFIG_FILE} already exists in ${dir}; pass --force to replace it`);
  if (options.app !== undefined && !NAME_PATTERN.test(options.app))
    throw new UsageError(
      `--app ${options.app}: use 2-32 characters of a-z, 0-9 and '-', starting with a letter`,
    );
  if (options.domain !== undefined && !DOMAIN_PATTERN.test(options.domain))
    throw new UsageError(`--domain ${options.domain}: use a domain name such as example.com`);
  const from = options.from ?? COMPOSE_FILES.find((f) => existsSync(path.join(dir, f)));
  const compose = from === undefined ? undefined : readCompose(from, dir);
  const ask = options.questions;

  const app =
    options.app ??
    (ask
      ? await ask.text(
          'App name (prefixes every AWS resource)',
          suggestedApp(dir, compose?.data.name),
          appProblem,
        )
      : suggestedApp(dir, compose?.data.name));
  const domain =
    options.domain ??
    (ask
      ? await ask.text('Domain the app answers on', `${app}.example.com`, (d) =>
          DOMAIN_PATTERN.test(d) ? undefined : 'use a domain name such as example.com',
        )
      : `${app}.example.com`);

  let discovery: Discovery = compose
    ? mapCompose(compose, { app, projectDir: dir })
    : scanFolders(dir, { offerContainerfiles: true });
  if (discovery.services.length === 0)
    throw new UsageError(
      `nothing to deploy in ${dir}: no Containerfile or Dockerfile, no package.json with a start script, no compose file; run berth init in your app's folder`,
    );
  if (ask) discovery = { ...discovery, services: await confirmOffers(discovery.services, ask) };
  discovery = { ...discovery, report: [...discovery.report, ...sharedPorts(discovery.services)] };

  const ids = discovery.services.map((s) => s.id);
  const frontend = await pickFrontend(discovery.services, options.frontend, ask);
  const api = await pickApi(discovery.services, frontend, options.api, ask);
  const roles = new Map(
    ids.map((id) => [id, id === frontend ? 'frontend' : id === api ? 'api' : 'internal'] as const),
  );
  // The frontend first, then the API, then the rest: the order a reader looks for them.
  const order: readonly ServiceRole[] = ['frontend', 'api', 'internal'];
  discovery = {
    ...discovery,
    services: [...discovery.services].sort(
      (a, b) => order.indexOf(roles.get(a.id)!) - order.indexOf(roles.get(b.id)!),
    ),
  };

  const raw = {
    app,
    env: {
      account: PLACEHOLDER_ACCOUNT,
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    },
    domain,
    hostedZone: { id: PLACEHOLDER_ZONE, name: domain },
    services: Object.fromEntries(
      discovery.services.map((s) => [s.id, withRoute(s.config, roles.get(s.id)!)]),
    ),
  };
  // The object is validated as `berth up` will validate the file; a failure here is a bad --app, say.
  parseConfig(raw, configFile);

  const files: PlannedFile[] = [
    ...discovery.services.flatMap((s) => s.offered).filter((f) => !existsSync(path.join(dir, f.path))),
    { path: DEFAULT_CONFIG_FILE, contents: render(raw, discovery, roles) },
    ...gitignore(dir),
    ...localSecrets(dir, discovery.secrets),
  ];
  for (const file of files) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    if (file.append) writeFileSync(target, file.contents, { flag: 'a' });
    else writeFileSync(target, file.contents);
  }
  return {
    configFile,
    source: discovery.source,
    app,
    domain,
    services: discovery.services.map((s) => ({
      id: s.id,
      role: roles.get(s.id)!,
      context: 'context' in s.config.image ? s.config.image.context : s.config.image.ref,
    })),
    written: files.map((f) => path.normalize(f.path)),
    report: discovery.report,
  };
}

/**
 * Containers each have their own port space, so compose services often share a port; berth up's
 * process engine opens each service's Service Connect listener on its port, on one machine.
 */
function sharedPorts(services: readonly FoundService[]): ReportLine[] {
  const first = new Map<number, string>();
  const lines: ReportLine[] = [];
  for (const s of services) {
    const owner = first.get(s.config.port);
    if (owner === undefined) first.set(s.config.port, s.id);
    else
      lines.push({
        key: `services.${s.id}.port`,
        kind: 'mapped',
        message: `${s.config.port}, like ${owner}: fine on Fargate and in containers; run berth up --engine process with --discovery-ports free`,
      });
  }
  return lines;
}

function appProblem(answer: string): string | undefined {
  return NAME_PATTERN.test(answer)
    ? undefined
    : "use 2-32 characters of a-z, 0-9 and '-', starting with a letter";
}

/** The compose project's name, else the package's name (without its scope), else the folder's. */
function suggestedApp(dir: string, composeName: unknown): string {
  let pkgName: string | undefined;
  try {
    pkgName = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    // No package.json: the folder's name will do.
  }
  for (const candidate of [composeName, pkgName?.replace(/^@[^/]+\//, ''), path.basename(dir)]) {
    if (typeof candidate !== 'string') continue;
    const name = candidate
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^[^a-z]+|-+$/g, '')
      .slice(0, 32);
    if (NAME_PATTERN.test(name)) return name;
  }
  return 'app';
}

async function confirmOffers(services: readonly FoundService[], ask: InitQuestions): Promise<FoundService[]> {
  const out: FoundService[] = [];
  for (const service of services) {
    if (
      service.offered.length === 0 ||
      (await ask.confirm(
        `${service.id} has no Containerfile: write berth's hardened one (distroless, non-root, no shell)?`,
        true,
      ))
    ) {
      out.push(service);
      continue;
    }
    const { command: _, ...healthCheck } = service.config.healthCheck;
    out.push({
      ...service,
      offered: [],
      config: { ...service.config, healthCheck },
      why: {
        ...service.why,
        image: `${String((service.config.image as { context: string }).context)} has no Containerfile yet: berth up --engine process runs it, a deploy needs one`,
      },
    });
  }
  return out;
}

async function pickFrontend(
  services: readonly FoundService[],
  given: string | undefined,
  ask?: InitQuestions,
): Promise<string> {
  const ids = services.map((s) => s.id);
  if (given !== undefined) {
    if (!ids.includes(given))
      throw new UsageError(`--frontend ${given}: no such service; found ${ids.join(', ')}`);
    return given;
  }
  const suggested =
    services.find((s) => s.looks === 'frontend')?.id ??
    services.find((s) => s.looks !== 'api')?.id ??
    ids[0]!;
  return ask && ids.length > 1
    ? ask.choose(`Which service is the public frontend (${'https://<domain>'})?`, ids, suggested)
    : suggested;
}

async function pickApi(
  services: readonly FoundService[],
  frontend: string,
  given: string | undefined,
  ask?: InitQuestions,
): Promise<string | undefined> {
  const others = services.map((s) => s.id).filter((id) => id !== frontend);
  if (given !== undefined) {
    if (given === NONE) return undefined;
    if (!others.includes(given))
      throw new UsageError(
        `--api ${given}: ${given === frontend ? 'it is the frontend' : 'no such service'}; choose one of ${[...others, NONE].join(', ')}`,
      );
    return given;
  }
  if (others.length === 0) return undefined;
  const suggested =
    services.find((s) => s.id !== frontend && s.looks === 'api')?.id ??
    (others.length === 1 ? others[0]! : NONE);
  const answer = ask
    ? await ask.choose('Which service answers on api.<domain>?', [...others, NONE], suggested)
    : suggested;
  return answer === NONE ? undefined : answer;
}

function withRoute(config: FoundService['config'], role: ServiceRole): ServiceConfig {
  if (role === 'frontend') return { ...config, route: { host: '@' } };
  if (role === 'api') return { ...config, route: { host: 'api' } };
  return { ...config };
}

const FIELD_ORDER: readonly (keyof ServiceConfig)[] = [
  'image',
  'port',
  'healthCheck',
  'route',
  'environment',
  'secrets',
  'cpu',
  'memory',
  'scaling',
  'user',
  'local',
];

function render(
  raw: {
    app: string;
    env: object;
    domain: string;
    hostedZone: object;
    services: Record<string, ServiceConfig>;
  },
  discovery: Discovery,
  roles: Map<string, ServiceRole>,
): string {
  const services: Record<string, { value: Group; why: string }> = {};
  for (const service of discovery.services) {
    const config = raw.services[service.id]!;
    const role = roles.get(service.id)!;
    const fields: Record<string, { value: unknown; why?: string }> = {};
    for (const key of FIELD_ORDER) {
      if (config[key] === undefined) continue;
      const why =
        key === 'route'
          ? role === 'frontend'
            ? `the public frontend: https://${raw.domain} (and https://${raw.app}.localhost:8443 under berth up)`
            : `the API: https://api.${raw.domain}`
          : service.why[key];
      fields[key] = { value: config[key], ...(why ? { why } : {}) };
    }
    services[service.id] = {
      value: new Group(fields),
      why:
        role === 'internal'
          ? `${service.id}: internal, no route; other services reach it at SERVICE_${service.id.toUpperCase().replaceAll('-', '_')}_URL`
          : '',
    };
  }
  const fields: CommentedObject = {
    app: { value: raw.app, why: 'The application name: it prefixes every AWS resource.' },
    env: {
      value: raw.env,
      why: 'Where to deploy. The account is a placeholder: set yours before `berth deploy` (synth, check and up work offline).',
    },
    domain: {
      value: raw.domain,
      why: 'The apex domain: the frontend answers on it, the API on api.<domain>.',
    },
    hostedZone: {
      value: raw.hostedZone,
      why: 'The Route 53 hosted zone that holds the domain. The id is a placeholder: set your zone id before deploying.',
    },
    services: { value: new Group(services) },
  };
  return renderConfig(
    [
      `Written by \`berth init\` from ${discovery.source === 'folders' ? "this project's folders" : discovery.source}.`,
      'Each choice says why; edit freely. Every field: `npx berth schema` or docs/configuration.md.',
    ],
    fields,
  );
}

/** `.berth/` (local state, the CA key, secrets) and the secrets file itself, if not ignored yet. */
function gitignore(dir: string): PlannedFile[] {
  const file = path.join(dir, '.gitignore');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = existing.split('\n').map((l) => l.trim());
  const missing = ['.berth/', LOCAL_SECRETS].filter((l) => !lines.includes(l) && !lines.includes(`/${l}`));
  if (missing.length === 0) return [];
  const lead = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return [
    {
      path: '.gitignore',
      append: true,
      contents: `${lead}# berth: local state and secrets, never committed\n${missing.join('\n')}\n`,
    },
  ];
}

/** Placeholders for the secrets the config names, merged into the local secrets file without touching set values. */
function localSecrets(dir: string, secrets: Readonly<Record<string, string>>): PlannedFile[] {
  if (Object.keys(secrets).length === 0) return [];
  const file = path.join(dir, LOCAL_SECRETS);
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(
        `${LOCAL_SECRETS} is not valid JSON; fix it or move it away, then run berth init again`,
        { cause: err },
      );
    }
  }
  const merged = { ...secrets, ...existing };
  const files: PlannedFile[] = [{ path: LOCAL_SECRETS, contents: `${JSON.stringify(merged, null, 2)}\n` }];
  if (!existsSync(path.join(dir, '.berth', '.gitignore')))
    files.unshift({ path: '.berth/.gitignore', contents: '*\n' });
  return files;
}
