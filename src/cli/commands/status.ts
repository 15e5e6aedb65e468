import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
// The control client only: status, down and restart load none of berth up itself.
import { remoteStatus } from '../../local/control.ts';
import { statePaths } from '../../local/state/state-dir.ts';
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
