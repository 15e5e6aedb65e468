import { Command, Option } from 'commander';
import { loadConfig, loadEveryStage } from '../../config/index.ts';
import { DEFAULT_BUILD_ENGINE, DEFAULT_IMAGE_TAG } from '../../images/build.ts';
import { parsePlatforms } from '../../images/platform.ts';
import { EXIT, configOption, stageOption } from '../context.ts';
import { renderImageCheck, renderImageEvent } from '../images-render.ts';
import { renderAcknowledged, renderCheck, renderStagesCheck } from '../render.ts';

export const checkCommand = new Command('check')
  .description(
    'synthesize and run every check (cdk-nag packs, Control Tower rules, network reachability, cfn-lint)',
  )
  .addOption(configOption())
  .addOption(
    stageOption(
      'check only this stage (default: every stage the config declares, each under its own heading; a config without stages has one)',
    ),
  )
  .option('--json', 'print the result as JSON')
  .option('--acknowledged', 'also list the findings acknowledged by design, with their reasons')
  .option('--skip-lint', 'do not run cfn-lint')
  .option('--images', 'check only the built container images: hardening rules, sizes against budgets, SBOMs')
  .addOption(
    new Option('--engine <engine>', 'with --images: where the images were built')
      .choices(['podman', 'docker'])
      .default(DEFAULT_BUILD_ENGINE),
  )
  .option('--tag <tag>', 'with --images: tag berth build gave the images', DEFAULT_IMAGE_TAG)
  .option(
    '--platform <platforms>',
    "with --images: the platforms berth build --platform built, each checked (default: each service's architecture)",
  )
  .action(async (opts: CheckFlags) => {
    // One run of the config file for every stage; a config without stages is checked once, as before.
    const every =
      opts.stage === undefined
        ? await loadEveryStage(opts.config, process.cwd(), { files: 'images' })
        : {
            declared: false,
            configs: [await loadConfig(opts.config, process.cwd(), { stage: opts.stage, files: 'images' })],
          };
    if (opts.images) {
      // The images are the same in every stage (promoted by digest): checked once.
      const config = every.configs[0]!;
      const { checkImages } = await import('../../images/index.ts');
      const result = await checkImages(config, {
        engine: opts.engine,
        tag: opts.tag,
        ...(opts.platform ? { platforms: parsePlatforms(opts.platform) } : {}),
        notify: (event) => {
          const line = renderImageEvent(event);
          if (line) process.stderr.write(`${line}\n`);
        },
      });
      process.stdout.write(`${opts.json ? JSON.stringify(result, null, 2) : renderImageCheck(result)}\n`);
      process.exitCode = result.passed ? EXIT.ok : EXIT.failed;
      return;
    }
    // Loaded on use: aws-cdk-lib takes seconds to import, and other commands do not need it.
    const { check, checkStages } = await import('../../checks/index.ts');
    const options = { skipLint: opts.skipLint ?? false };
    if (every.declared) {
      const result = await checkStages(every.configs, options);
      process.stdout.write(
        `${opts.json ? JSON.stringify(result, null, 2) : renderStagesCheck(result, { acknowledged: opts.acknowledged ?? false })}\n`,
      );
      process.exitCode = result.passed ? EXIT.ok : EXIT.failed;
      return;
    }
    const result = await check(every.configs[0]!, options);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderCheck(result)}\n`);
      if (opts.acknowledged) process.stdout.write(`\n${renderAcknowledged(result.acknowledged)}\n`);
    }
    process.exitCode = result.passed ? EXIT.ok : EXIT.failed;
  });

interface CheckFlags {
  config: string;
  stage?: string;
  json?: boolean;
  acknowledged?: boolean;
  skipLint?: boolean;
  images?: boolean;
  engine: 'podman' | 'docker';
  tag: string;
  platform?: string;
}
