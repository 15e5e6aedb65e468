import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ServiceConfig } from '../config/index.ts';
import { NODE_DOCKERIGNORE, nodeContainerfile, nodeHealthCommand } from './containerfile.ts';
import {
  CONTAINERFILES,
  localCommand,
  looksLike,
  numberedServiceId,
  readFolder,
  serviceId,
  SKIPPED_FOLDERS,
  type FolderFacts,
} from './folder.ts';
import type { Discovery, FoundService, PlannedFile, ReportLine } from './model.ts';

/** Folder depth searched below the project: `apps/web`, `services/api/server`. */
const MAX_DEPTH = 3;
/** Ports tried, in order, for a service that names none (berth passes PORT; the port must be unique for the process engine's listeners). */
const FALLBACK_PORTS = [3000, 8080, 4000, 5000, 8000, 9000];

/**
 * Finds the services in a project: folders with a Containerfile or Dockerfile, and Node.js packages
 * with a `start` script. The project root counts too, unless it is only a workspace root.
 */
export function scanFolders(projectDir: string, options: { offerContainerfiles: boolean }): Discovery {
  const report: ReportLine[] = [];
  const found: { dir: string; facts: FolderFacts }[] = [];
  const visit = (dir: string, depth: number) => {
    const facts = readFolder(dir);
    const node = facts.node;
    const isService = facts.containerfile !== undefined || (node?.start !== undefined && !node.workspaces);
    if (isService) found.push({ dir, facts });
    else if (node?.workspaces === false && !node.start && dir !== projectDir)
      report.push({
        key: `${rel(projectDir, dir)}/`,
        kind: 'not-mapped',
        message: 'a Node.js package without a start script or Containerfile: not a service (a library?)',
      });
    if (depth >= MAX_DEPTH || (isService && dir !== projectDir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
        visit(path.join(dir, entry.name), depth + 1);
  };
  visit(projectDir, 0);
  // A root package that only starts its sub-packages (`npm start -w web`) is not one more service.
  const root = found.find((f) => f.dir === projectDir);
  if (root && found.length > 1 && !root.facts.containerfile) found.splice(found.indexOf(root), 1);

  const usedPorts = new Set<number>();
  const usedIds = new Set<string>();
  const services = found.map(({ dir, facts }) => {
    const service = describe(projectDir, dir, facts, usedPorts, usedIds, options);
    usedIds.add(service.id);
    return service;
  });
  return { source: 'folders', services, secrets: {}, report };
}

function describe(
  projectDir: string,
  dir: string,
  facts: FolderFacts,
  usedPorts: Set<number>,
  usedIds: Set<string>,
  options: { offerContainerfiles: boolean },
): FoundService {
  const folder = rel(projectDir, dir);
  let id = serviceId(dir === projectDir ? path.basename(projectDir) : path.basename(dir));
  const first = id;
  for (let n = 2; usedIds.has(id); n += 1) id = numberedServiceId(first, n);
  const why: Partial<Record<keyof ServiceConfig, string>> = {};

  let port: number;
  if (facts.exposed) {
    port = facts.exposed;
    why.port = `EXPOSE in ${folder}/${facts.containerfile}`;
  } else if (facts.sourcePort) {
    port = facts.sourcePort.port;
    why.port = `the default port in ${folder}/${facts.sourcePort.file}; berth passes PORT, which the server reads`;
  } else {
    port = FALLBACK_PORTS.find((p) => !usedPorts.has(p)) ?? 3000 + usedPorts.size;
    why.port = 'no port found: berth passes PORT, so the server must listen on it (process.env.PORT)';
  }
  if (usedPorts.has(port)) {
    const clash = port;
    port = FALLBACK_PORTS.find((p) => !usedPorts.has(p)) ?? port + usedPorts.size;
    why.port = `${why.port}, but ${clash} is another service's; berth passes PORT=${port}, which the server must read`;
  }
  usedPorts.add(port);

  const healthPath = facts.healthPath?.path ?? '/';
  const healthCheck: { path: string; command?: string[] } = { path: healthPath };
  why.healthCheck = facts.healthPath
    ? `${healthPath} is named in ${folder}/${facts.healthPath.file}; the load balancer wants a 200 there`
    : 'no health route found: the load balancer probes / and wants a 200; point it at a cheap route';

  const offered: PlannedFile[] = [];
  const node = facts.node;
  let containerfile = facts.containerfile;
  if (facts.healthCommand) {
    healthCheck.command = [...facts.healthCommand];
    why.healthCheck += `; command: the HEALTHCHECK of ${facts.containerfile}`;
  } else if (!containerfile && node && options.offerContainerfiles) {
    const command = node.start ? localCommand(node.start).command : ['node', node.main ?? 'index.js'];
    const imageCommand = command[0] === 'node' ? command : ['node', node.main ?? 'index.js'];
    containerfile = 'Containerfile';
    offered.push(
      {
        path: `${folder}/Containerfile`,
        contents: nodeContainerfile({
          name: id,
          port,
          healthPath,
          command: imageCommand,
          hasLockfile: node.hasLockfile,
          hasBuildScript: node.hasBuildScript,
        }),
      },
      { path: `${folder}/.dockerignore`, contents: NODE_DOCKERIGNORE },
    );
    healthCheck.command = nodeHealthCommand(port, healthPath);
    why.healthCheck += "; command: node fetches it inside the task (berth's Containerfile has no curl)";
  }
  const config: { -readonly [K in keyof ServiceConfig]?: ServiceConfig[K] } = {
    image: { context: folder, file: containerfile ?? CONTAINERFILES[0]! },
    port,
    healthCheck,
  };
  why.image = facts.containerfile
    ? `${folder}/${facts.containerfile}`
    : offered.length > 0
      ? `berth's hardened Containerfile, written into ${folder}/ (multi-stage, distroless, non-root, no shell)`
      : `${folder} has no Containerfile yet: berth up --engine process runs it, a deploy needs one`;
  if (node?.start) {
    const local = localCommand(node.start);
    config.local = { command: local.command };
    why.local = `berth up --engine process: ${local.why}`;
  }
  return { id, config: config as FoundService['config'], why, looks: looksLike(id, facts), offered };
}

function rel(projectDir: string, dir: string): string {
  const relative = path.relative(projectDir, dir).split(path.sep).join('/');
  return relative === '' ? '.' : `./${relative}`;
}
