import path from 'node:path';
import { Command } from 'commander';
import { configOption, loadStageConfig, pathFlagError, prepareOutFolder, stageOption } from '../context.ts';
import { table } from '../render.ts';

export const synthCommand = new Command('synth')
  .description('write the CloudFormation templates for the config')
  .addOption(configOption())
  .addOption(stageOption())
  .option('-o, --out <dir>', 'output directory', 'cdk.out')
  .option('--no-validate', 'skip the compliance plugins (faster)')
  .action(async (opts: { config: string; stage?: string; out: string; validate: boolean }) => {
    // The config first: a config error leaves no --out folder behind.
    const config = await loadStageConfig(opts, { files: 'images' });
    prepareOutFolder('--out', opts.out);
    // Loaded on use: aws-cdk-lib takes seconds to import, and other commands do not need it.
    const { synth } = await import('../../infra/index.ts');
    let result: ReturnType<typeof synth>;
    try {
      result = synth(config, { outdir: opts.out, validate: opts.validate });
    } catch (err) {
      throw pathFlagError(err, '--out', opts.out);
    }
    process.stdout.write(
      `${table(
        ['stack', 'template'],
        Object.entries(result.templates).map(([stack, file]) => [stack, path.relative(process.cwd(), file)]),
      )}\n`,
    );
  });
