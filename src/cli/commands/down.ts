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
      const done = [
        left.processes.length > 0 ? `ended ${left.processes.length} process(es)` : '',
        left.containers > 0 ? `removed ${left.containers} container(s)` : '',
      ].filter(Boolean);
      const summary =
        done.length > 0
          ? `${done.join(' and ')} it left`
          : left.kept.length > 0
            ? 'ended nothing'
            : 'nothing it started was still running';
      process.stderr.write(`! the supervisor (pid ${left.pid}) had died; ${summary}\n`);
      if (left.kept.length > 0)
        process.stderr.write(
          `! left alone: ${left.kept.join(', ')}, listed by it but not carrying its run's marker (a reused PID?); check with ps and kill them if they are its tasks\n`,
        );
      // Done: a run that has claimed the folder since is not the one this down was asked to stop.
      return;
    }
    if (!runningSupervisor(paths)) {
      process.stderr.write('· nothing is running for this config\n');
      return;
    }
    process.stderr.write('· draining and stopping\n');
    const { pid } = await remoteStop(paths);
    process.stdout.write(`stopped (supervisor ${pid} and all its tasks are gone)\n`);
  });
