import { Command, Option } from 'commander';
import { loadConfig } from '../../config/index.ts';
import {
  BUILD_ENGINES,
  buildImages,
  DEFAULT_BUILD_ENGINE,
  DEFAULT_IMAGE_TAG,
  type BuildEngine,
} from '../../images/build.ts';
import {
  BASE_IMAGE_HELP,
  BUILD_IMAGE_HELP,
  baseImageChoice,
  collectBaseImage,
  type BaseImageFlag,
} from '../base-image-flags.ts';
import { configOption } from '../context.ts';
import { renderImageEvent } from '../images-render.ts';
import { table } from '../render.ts';

export const buildCommand = new Command('build')
  .description(
    'build the image of every service that has image.context (tagged localhost/<app>/<service>:<tag>)',
  )
  .addOption(configOption())
  .addOption(
    new Option('--engine <engine>', 'container engine').choices(BUILD_ENGINES).default(DEFAULT_BUILD_ENGINE),
  )
  .option('--tag <tag>', 'tag of the local images', DEFAULT_IMAGE_TAG)
  .option('--base-image <[service=]ref>', BASE_IMAGE_HELP, collectBaseImage)
  .option('--build-image <[service=]ref>', BUILD_IMAGE_HELP, collectBaseImage)
  .option('--service <id...>', 'only these services')
  .action(
    async (opts: {
      config: string;
      engine: BuildEngine;
      tag: string;
      baseImage?: BaseImageFlag;
      buildImage?: BaseImageFlag;
      service?: string[];
    }) => {
      const config = await loadConfig(opts.config);
      const built = await buildImages(config, {
        engine: opts.engine,
        tag: opts.tag,
        baseImages: baseImageChoice(opts.buildImage, opts.baseImage),
        ...(opts.service ? { services: opts.service } : {}),
        notify: (event) => {
          const line = renderImageEvent(event);
          if (line) process.stderr.write(`${line}\n`);
        },
      });
      process.stdout.write(
        `${table(
          ['service', 'image', 'id', 'seconds'],
          built.map((b) => [b.service, b.ref, b.id.slice(0, 19), b.seconds.toFixed(1)]),
        )}\n`,
      );
    },
  );
