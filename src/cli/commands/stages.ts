import { Command } from 'commander';
import { loadEveryStage } from '../../config/index.ts';
import { configOption } from '../context.ts';
import { renderStages } from '../stages-render.ts';

export const stagesCommand = new Command('stages')
  .description(
    "list the config's stages: account, region, domain, whether it is production, and the config paths each one overrides",
  )
  .addOption(configOption())
  .option('--json', 'print the stages as JSON')
  .addHelpText('after', '\nExample:\n  berth stages --config berth.config.ts --json')
  .action(async (flags: { config: string; json?: boolean }) => {
    const every = await loadEveryStage(flags.config);
    const listing = {
      declared: every.declared,
      ...(every.defaultStage !== undefined ? { defaultStage: every.defaultStage } : {}),
      stages: every.configs[0]!.stages,
    };
    process.stdout.write(`${flags.json ? JSON.stringify(listing, null, 2) : renderStages(listing)}\n`);
  });
