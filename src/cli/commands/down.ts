import { Command } from 'commander';
import { remoteStop, runningSupervisor } from '../../local/control.ts';
import { endStaleRun } from '../../local/state/leftovers.ts';
import { configOption, runState } from '../context.ts';

export const downCommand = new Command('down')
  .description('stop what berth up runs for this config, draining first; waits until everything is gone')
  .addOption(configOption())
  .action(async (flags: { config: string }) => {
    const paths = await runState(flags.config);
    // A supervisor that died cannot drain its tasks: end them now, as the next berth up would.
    const left = await endStaleRun(paths);
    if (left) {
      const what = [
        left.processes.length > 0 ? `${left.processes.length} process(es)` : '',
        left.containers > 0 ? `${left.containers} container(s)` : '',
      ].filter(Boolean);
      process.stderr.write(
        `! the supervisor (pid ${left.pid}) had died; ${what.length > 0 ? `ended ${what.join(' and ')} it left running` : 'nothing it started was still running'}\n`,
      );
    }
    if (!runningSupervisor(paths)) {
      if (!left) process.stderr.write('· nothing is running for this config\n');
      return;
    }
    process.stderr.write('· draining and stopping\n');
    const { pid } = await remoteStop(paths);
    process.stdout.write(`stopped (supervisor ${pid} and all its tasks are gone)\n`);
  });
