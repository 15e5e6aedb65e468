import { Command } from 'commander';
import { awaitControl, remoteStop, runningSupervisor, supervisorToAsk } from '../../local/control.ts';
import { endStaleRun, forceEndRun } from '../../local/state/leftovers.ts';
import { configOption, runState } from '../context.ts';
import { printEvent } from '../local-render.ts';

export const downCommand = new Command('down')
  .description('stop what berth up runs for this config, draining first; waits until everything is gone')
  .addOption(configOption())
  .option(
    '-f, --force',
    'end the supervisor and its tasks at once, without draining: for one that is stopped or does not answer',
  )
  .action(async (flags: { config: string; force?: boolean }) => {
    const paths = await runState(flags.config);
    if (flags.force) {
      if (!(await forceEndRun(paths, printEvent)))
        process.stderr.write('· nothing is running for this config\n');
      return;
    }
    // A supervisor that died cannot drain its tasks: end them now, as the next berth up would.
    // Then stop: a run that has claimed the folder since is not the one this down was asked to stop.
    if (await endStaleRun(paths, printEvent)) return;
    let record = runningSupervisor(paths);
    if (record && record.control.port === 0) {
      // A berth up that is still starting (loading the config, in the first second of --detach):
      // it would come up after a down that did not wait for it.
      process.stderr.write(`· berth up (pid ${record.pid}) is starting: waiting to stop it\n`);
      record = await awaitControl(paths, record);
      if (!record) {
        process.stderr.write('· it exited before it started anything\n');
        await endStaleRun(paths, printEvent);
        return;
      }
    }
    if (!record) {
      process.stderr.write('· nothing is running for this config\n');
      return;
    }
    // Stopped (SIGSTOP, Ctrl-Z): it cannot drain now; the error says what can.
    supervisorToAsk(paths, record);
    process.stderr.write('· draining and stopping\n');
    const { pid } = await remoteStop(paths, { record });
    process.stdout.write(`stopped (supervisor ${pid} and all its tasks are gone)\n`);
  });
