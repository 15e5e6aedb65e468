import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { remoteStop, runningSupervisor } from '../../local/control.ts';
import { statePaths } from '../../local/state/state-dir.ts';
import { configOption } from '../context.ts';

export const downCommand = new Command('down')
  .description('stop what berth up runs for this config, draining first; waits until everything is gone')
  .addOption(configOption())
  .action(async (flags: { config: string }) => {
    const config = await loadConfig(flags.config);
    const paths = statePaths(config.baseDir);
    if (!runningSupervisor(paths)) {
      process.stderr.write('· nothing is running for this config\n');
      return;
    }
    process.stderr.write('· draining and stopping\n');
    const { pid } = await remoteStop(paths);
    process.stdout.write(`stopped (supervisor ${pid} and all its tasks are gone)\n`);
  });
