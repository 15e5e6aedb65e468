import { Command } from 'commander';
import { configOption } from '../context.ts';
import { loadStageConfig, stageOption, stderrNotify } from '../aws-context.ts';
import { renderBootstrap } from '../aws-render.ts';

export const bootstrapCommand = new Command('bootstrap')
  .description("prepare the config's AWS account and region for deploys, once (CDK's bootstrap, hardened)")
  .addOption(configOption())
  .addOption(
    stageOption(
      "the stage whose account and region to prepare (default: the config's defaultStage, else prod)",
    ),
  )
  .option('--json', 'print the result as JSON on stdout')
  .option('-v, --verbose', "also show the toolkit's debug messages")
  .addHelpText('after', '\nExample:\n  AWS_PROFILE=prod berth bootstrap --config berth.config.ts')
  .action(async (flags: { config: string; stage?: string; json?: boolean; verbose?: boolean }) => {
    const config = await loadStageConfig(flags);
    const { bootstrap } = await import('../../aws/index.ts');
    const result = await bootstrap(config, { notify: stderrNotify({ verbose: flags.verbose ?? false }) });
    process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderBootstrap(result)}\n`);
  });
