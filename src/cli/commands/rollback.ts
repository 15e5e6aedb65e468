import { Command } from 'commander';
import { requireService } from '../../config/index.ts';
import { loadStageConfig, stageOption, stderrNotify } from '../aws-context.ts';
import { configOption } from '../context.ts';
import { renderRollback } from '../release-render.ts';

export const rollbackCommand = new Command('rollback')
  .description(
    "go back to the previous version at once: a blue/green, canary or linear release in flight is stopped with ECS's rollback (traffic moves back to the old tasks, which still run); otherwise the service is updated to its previous task definition",
  )
  .addOption(configOption())
  .addOption(stageOption())
  .option('--service <id>', 'only this service (default: every service of the stage)')
  .option('--json', 'print the result as JSON on stdout')
  .addHelpText(
    'after',
    `
Examples:
  berth rollback --stage prod                   every service of prod
  berth rollback --stage prod --service backend

The stage's stack still holds the newer version: the next berth deploy deploys it again.`,
  )
  .action(async (flags: { config: string; stage: string; service?: string; json?: boolean }) => {
    const config = await loadStageConfig(flags);
    // A mistyped --service is a usage error before anything reads or changes the stage.
    if (flags.service) requireService(config, flags.service, { flag: `--service ${flags.service}` });
    const { assertAccount, rollback, sdkReleaseApi } = await import('../../aws/index.ts');
    const notify = stderrNotify();
    // Rolling back another account's services under this app's names would be the worst mistake here.
    await assertAccount(config, notify);
    const api = sdkReleaseApi(config);
    try {
      const result = await rollback(config, {
        api,
        notify,
        ...(flags.service ? { service: flags.service } : {}),
      });
      process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderRollback(result)}\n`);
    } finally {
      api.destroy();
    }
  });
