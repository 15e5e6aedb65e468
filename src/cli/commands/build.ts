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
import { parsePlatforms } from '../../images/platform.ts';
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
  .option(
    '--platform <platforms>',
    "linux/amd64, linux/arm64, or both comma-separated (an image index of the two) (default: each service's architecture)",
  )
  .option('--service <id...>', 'only these services')
  .action(
    async (opts: {
      config: string;
      engine: BuildEngine;
      tag: string;
      baseImage?: BaseImageFlag;
      buildImage?: BaseImageFlag;
      service?: string[];
      platform?: string;
    }) => {
      const config = await loadConfig(opts.config, process.cwd(), { files: 'images' });
      const platforms = opts.platform ? parsePlatforms(opts.platform) : undefined;
      const built = await buildImages(config, {
        engine: opts.engine,
        tag: opts.tag,
        baseImages: baseImageChoice(opts.buildImage, opts.baseImage),
        ...(opts.service ? { services: opts.service } : {}),
        ...(platforms ? { platforms } : {}),
        notify: (event) => {
          const line = renderImageEvent(event);
          if (line) process.stderr.write(`${line}\n`);
        },
      });
      process.stdout.write(
        `${table(
          ['service', 'image', 'platform', 'id', 'seconds'],
          built.flatMap((b) => [
            [
              b.service,
              b.ref,
              b.images.map((i) => i.platform).join(', '),
              b.id.slice(0, 19),
              b.seconds.toFixed(1),
            ],
            // The index's own images, one line each, when there are several platforms.
            ...(b.images.length > 1
              ? b.images.map((i) => ['', i.ref, i.platform, i.id.slice(0, 19), ''])
              : []),
          ]),
        )}\n`,
      );
    },
  );
