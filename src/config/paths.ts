import { statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigIssue } from './errors.ts';
import type { ResolvedConfig } from './normalize.ts';

/**
 * What a command reads from the folders a config names: `images` for the commands that build or
 * check images (`check`, `synth`, `build`, `deploy`, `up` with a container engine), `process` for
 * `up --engine process`, which runs each service's `local.command` instead.
 */
export type ConfigFiles = 'images' | 'process';

/**
 * The folders and files a config names that are not there, found when the config loads: before
 * the edge, a task or a build has started, rather than as podman's or Node's message later on.
 */
export function configFileIssues(config: ResolvedConfig, needs: ConfigFiles): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const shown = (absolute: string) => path.relative(config.baseDir, absolute) || '.';
  const folderIssue = (at: string, folder: string, what: string) => {
    if (!isFolder(folder))
      issues.push({
        path: at,
        message: `${shown(folder)} is not a folder (looked for ${folder}); ${what}, relative to the config file`,
      });
  };
  for (const service of config.services) {
    const at = `services.${service.id}`;
    if (needs === 'images') {
      if (service.image.kind !== 'build') continue;
      const { context, file } = service.image;
      folderIssue(`${at}.image.context`, context, 'give the folder to build');
      if (isFolder(context) && !statSync(path.join(context, file), { throwIfNoEntry: false })?.isFile())
        issues.push({
          path: `${at}.image.file`,
          message: `${file} is not in ${shown(context)} (looked for ${path.join(context, file)}); name the Containerfile inside image.context`,
        });
    } else if (!service.local) {
      issues.push({
        path: `${at}.local.command`,
        message:
          "is not set, and `berth up --engine process` starts each service with it; set it (e.g. ['node', 'dist/server.js']), or use a container engine (--engine podman)",
      });
    } else {
      folderIssue(
        `${at}.local.cwd`,
        service.local.cwd,
        'give the folder the command runs in (default: image.context)',
      );
    }
  }
  return issues;
}

function isFolder(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
