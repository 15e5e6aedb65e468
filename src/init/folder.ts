import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RESERVED_SERVICE_IDS } from '../config/index.ts';

/** What one folder says about the service in it: read from its Containerfile, package.json and sources. */
export interface FolderFacts {
  /** `Containerfile` or `Dockerfile`, if the folder has one. */
  readonly containerfile?: string;
  /** The first `EXPOSE` of the Containerfile. */
  readonly exposed?: number;
  /** The Containerfile's `HEALTHCHECK CMD [...]`, exec form only (shell form needs a shell in the image). */
  readonly healthCommand?: readonly string[];
  readonly node?: NodeFacts;
  /** A default port in the sources, such as `process.env.PORT ?? 4000`, and the file it is in. */
  readonly sourcePort?: { readonly port: number; readonly file: string };
  /** A health route named in the sources (`'/health'`), and the file it is in. */
  readonly healthPath?: { readonly path: string; readonly file: string };
}

export interface NodeFacts {
  readonly name?: string;
  readonly start?: string;
  readonly main?: string;
  readonly hasBuildScript: boolean;
  readonly hasLockfile: boolean;
  readonly dependencies: readonly string[];
  readonly workspaces: boolean;
}

export const CONTAINERFILES = ['Containerfile', 'Dockerfile'];

/** Folders that never hold a service's own code. */
export const SKIPPED_FOLDERS = new Set([
  'node_modules',
  'dist',
  'build',
  'coverage',
  'cdk.out',
  'vendor',
  'target',
  '__pycache__',
]);

const SOURCE_FILE = /\.(m?[jt]sx?|cjs|py|go|rb)$/;
/** Sources read per folder for ports and health routes: enough for a service, bounded for a monorepo. */
const MAX_SOURCE_FILES = 60;
const MAX_SOURCE_BYTES = 200_000;

export function readFolder(dir: string): FolderFacts {
  const containerfile = CONTAINERFILES.find((f) => isFile(path.join(dir, f)));
  const facts: { -readonly [K in keyof FolderFacts]: FolderFacts[K] } = {};
  if (containerfile) {
    facts.containerfile = containerfile;
    const text = readFileSync(path.join(dir, containerfile), 'utf8');
    const expose = /^\s*EXPOSE\s+(\d+)/im.exec(text);
    if (expose) facts.exposed = Number(expose[1]);
    const health = /^\s*HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$/im.exec(text);
    if (health) {
      try {
        const command = JSON.parse(health[1]!) as unknown;
        if (Array.isArray(command) && command.every((c) => typeof c === 'string') && command.length > 0)
          facts.healthCommand = command as string[];
      } catch {
        // Not JSON: not exec form, so not something a task definition can run without a shell.
      }
    }
  }
  const pkgFile = path.join(dir, 'package.json');
  if (isFile(pkgFile)) {
    try {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
        name?: string;
        main?: string;
        scripts?: Record<string, string>;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        workspaces?: unknown;
      };
      facts.node = {
        ...(pkg.name ? { name: pkg.name } : {}),
        ...(pkg.scripts?.start ? { start: pkg.scripts.start } : {}),
        ...(pkg.main ? { main: pkg.main } : {}),
        hasBuildScript: Boolean(pkg.scripts?.build),
        hasLockfile: isFile(path.join(dir, 'package-lock.json')),
        dependencies: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
        workspaces: pkg.workspaces !== undefined,
      };
    } catch {
      // A package.json that is not JSON says nothing berth can use; npm will tell the user.
    }
  }
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const relative = path.relative(dir, file);
    if (!facts.sourcePort) {
      const port = /\bPORT\b\)?\s*(?:\?\?|\|\|)\s*['"]?(\d{2,5})\b/.exec(text);
      if (port) facts.sourcePort = { port: Number(port[1]), file: relative };
    }
    if (!facts.healthPath) {
      const route = /['"`](\/(?:api\/)?(?:health[-_]?check|healthz?|readyz|livez|ping|status))['"`]/.exec(
        text,
      );
      if (route) facts.healthPath = { path: route[1]!, file: relative };
    }
    if (facts.sourcePort && facts.healthPath) break;
  }
  return facts;
}

/** The folder's own sources, breadth first, skipping dependencies and build output. */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const queue = [dir];
  while (queue.length > 0 && found.length < MAX_SOURCE_FILES) {
    const current = queue.shift()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        // Another service's folder is that service's business.
        if (
          !CONTAINERFILES.some((f) => existsSync(path.join(full, f))) &&
          !isFile(path.join(full, 'package.json'))
        )
          queue.push(full);
      } else if (SOURCE_FILE.test(entry.name) && !/\.(test|spec|d)\.[a-z]+$/.test(entry.name)) {
        if (statSync(full).size <= MAX_SOURCE_BYTES) found.push(full);
      }
    }
  }
  return found.slice(0, MAX_SOURCE_FILES);
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

const FRONTEND_PACKAGES = [
  'react',
  'vue',
  'svelte',
  'vite',
  'next',
  'nuxt',
  'astro',
  '@angular/core',
  'serve',
  'sirv',
];
const API_PACKAGES = ['express', 'fastify', 'koa', '@hapi/hapi', '@nestjs/core', 'hono', 'restify'];

/** A guess from the name and the dependencies, only to propose defaults: the user confirms it. */
export function looksLike(id: string, facts: FolderFacts | undefined): 'frontend' | 'api' | 'unknown' {
  if (/(^|-)(api|backend|server|service)(-|$)/.test(id)) return 'api';
  if (/(^|-)(frontend|web|www|site|client|ui|app|static)(-|$)/.test(id)) return 'frontend';
  const deps = facts?.node?.dependencies ?? [];
  if (deps.some((d) => API_PACKAGES.includes(d))) return 'api';
  if (deps.some((d) => FRONTEND_PACKAGES.includes(d))) return 'frontend';
  return 'unknown';
}

/** A service id the config accepts, from a folder or compose name (`My_API` -> `my-api`). */
export function serviceId(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  if (id.length < 2) return `svc-${id || 'app'}`.slice(0, 32);
  return RESERVED_SERVICE_IDS.includes(id) ? `${id}-svc` : id;
}

/** The `n`th service with the same id (`api-2`): cut to fit the 32 characters an id may have. */
export function numberedServiceId(id: string, n: number): string {
  const suffix = `-${n}`;
  return `${id.slice(0, 32 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The process engine's command for a Node.js package: `node <file> …` when the start script is just
 * that (no shell between berth and the server, so SIGTERM reaches it), else `npm start`.
 */
export function localCommand(start: string): { command: string[]; why: string } {
  const words = start.trim().split(/\s+/);
  if (words[0] === 'node' && words.every((w) => /^[\w./@=:-]+$/.test(w)))
    return {
      command: words,
      why: `the start script, run without npm and its shell so the server gets SIGTERM`,
    };
  return { command: ['npm', 'start'], why: `the start script (\`${start}\`) needs npm's shell` };
}
