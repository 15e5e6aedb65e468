import { Command } from 'commander';
// The control client only: status, down and restart load none of berth up itself.
import { remoteStatus } from '../../local/control.ts';
import { configOption, runState } from '../context.ts';
import { renderStatus } from '../local-render.ts';

export const statusCommand = new Command('status')
  .description('show what berth up runs for this config: services, task health and URLs')
  .addOption(configOption())
  .option('--json', 'print the status as JSON')
  .action(async (flags: { config: string; json?: boolean }) => {
    const status = await remoteStatus(await runState(flags.config));
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${renderStatus(status)}\n`);
  });
