import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { remoteStatus, statePaths } from '../../local/index.ts';
import { configOption } from '../context.ts';
import { renderStatus } from '../local-render.ts';

export const statusCommand = new Command('status')
  .description('show what berth up runs for this config: services, task health and URLs')
  .addOption(configOption())
  .option('--json', 'print the status as JSON')
  .action(async (flags: { config: string; json?: boolean }) => {
    const config = await loadConfig(flags.config);
    const status = await remoteStatus(statePaths(config.baseDir));
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${renderStatus(status)}\n`);
  });
