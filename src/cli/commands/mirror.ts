import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/index.ts';
import { mirrorImage } from '../../images/mirror.ts';
import { configOption } from '../context.ts';
import { renderImageEvent } from '../images-render.ts';

export const mirrorCommand = new Command('mirror')
  .description(
    'copy a base image (every layer, by digest) into the private base repository; prints the pinned reference',
  )
  .argument(
    '<source-image>',
    'image to copy, e.g. docker.io/library/node:20-bookworm-slim or registry/repo@sha256:...',
  )
  .option('--to <registry/repo>', "destination repository (default: the config's ECR repository <app>/base)")
  .addOption(configOption())
  .action(async (source: string, opts: { to?: string; config: string }) => {
    // --to needs no config; without it the ECR repository comes from the config's account, region and app.
    const config = opts.to && !existsSync(opts.config) ? undefined : await loadConfig(opts.config);
    const result = await mirrorImage(source, {
      ...(opts.to ? { to: opts.to } : {}),
      ...(config ? { config } : {}),
      notify: (event) => {
        const line = renderImageEvent(event);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
    process.stdout.write(`${result.ref}\n`);
  });
