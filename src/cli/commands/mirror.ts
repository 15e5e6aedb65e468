import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mirrorImage } from '../../images/mirror.ts';
import { parsePlatforms } from '../../images/platform.ts';
import { configOption, loadStageConfig, stageOption } from '../context.ts';
import { renderImageEvent } from '../images-render.ts';

export const mirrorCommand = new Command('mirror')
  .description(
    'copy a base image (every layer and platform, by digest) into the private base repository; prints the pinned reference (the index digest of a multi-platform base)',
  )
  .argument(
    '<source-image>',
    'image to copy, e.g. docker.io/library/node:20-bookworm-slim or registry/repo@sha256:...',
  )
  .option('--to <registry/repo>', "destination repository (default: the config's ECR repository <app>/base)")
  .option(
    '--platform <platforms>',
    'of a multi-platform base, only these (linux/amd64, linux/arm64, comma-separated); prints the new index (default: every platform)',
  )
  .addOption(configOption())
  .addOption(
    stageOption(
      "without --to: the stage whose account and region hold the repository (default: the config's defaultStage, else prod)",
    ),
  )
  .action(
    async (source: string, opts: { to?: string; config: string; stage?: string; platform?: string }) => {
      // --to needs no config; without it the ECR repository comes from the stage's account, region and app.
      const config = opts.to && !existsSync(opts.config) ? undefined : await loadStageConfig(opts);
      const result = await mirrorImage(source, {
        ...(opts.to ? { to: opts.to } : {}),
        ...(config ? { config } : {}),
        ...(opts.platform ? { platforms: parsePlatforms(opts.platform) } : {}),
        notify: (event) => {
          const line = renderImageEvent(event);
          if (line) process.stderr.write(`${line}\n`);
        },
      });
      process.stdout.write(`${result.ref}\n`);
    },
  );
