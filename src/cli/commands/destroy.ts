import { Command } from 'commander';
import { loadStageConfig, confirm, stageOption, stderrNotify } from '../aws-context.ts';
import { configOption } from '../context.ts';
import { renderDestroy } from '../aws-render.ts';
import { UsageError } from '../../shared/errors.ts';
import { names } from '../../infra/naming.ts';

export const destroyCommand = new Command('destroy')
  .description("delete the stage's app stack (the registry and its images stay unless --purge-images)")
  .addOption(configOption())
  .addOption(stageOption())
  .option('-y, --yes', 'do not ask (required when not on a terminal)')
  .option('--purge-images', 'also delete the registry stack and its images, shared by every stage')
  .option('--json', 'print the result as JSON on stdout')
  .option('-v, --verbose', "also show the toolkit's debug messages")
  .addHelpText('after', '\nExample:\n  berth destroy --stage staging --yes')
  .action(async (flags: DestroyFlags) => {
    const config = await loadStageConfig(flags);
    const what = [names.appStack(config), ...(flags.purgeImages ? [names.registryStack(config)] : [])].join(
      ' and ',
    );
    const where = `account ${config.env.account}, ${config.env.region}`;
    if (!flags.yes && !(process.stdin.isTTY && process.stderr.isTTY)) {
      throw new UsageError(
        `destroy deletes ${what} in ${where}; pass --yes to confirm when not on a terminal`,
      );
    }
    if (!(await confirm(`Delete ${what} in ${where}?`, flags.yes ?? false))) {
      throw new UsageError('not confirmed; nothing was deleted');
    }
    const { destroy } = await import('../../aws/index.ts');
    const result = await destroy(config, {
      notify: stderrNotify({ verbose: flags.verbose ?? false }),
      purgeImages: flags.purgeImages ?? false,
    });
    process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderDestroy(result)}\n`);
  });

interface DestroyFlags {
  config: string;
  stage?: string;
  yes?: boolean;
  purgeImages?: boolean;
  json?: boolean;
  verbose?: boolean;
}
