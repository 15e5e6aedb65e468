import { Command, Option } from 'commander';
import { RELEASE_STRATEGIES, type ReleaseStrategy } from '../../config/index.ts';
import { remoteRestart, remoteStatus } from '../../local/control.ts';
import { UsageError } from '../../shared/errors.ts';
import { configOption, runState } from '../context.ts';
import { toPercent, toSeconds } from '../flag-values.ts';
import { printEvent, renderStatus } from '../local-render.ts';

interface RestartFlags {
  config: string;
  strategy?: ReleaseStrategy;
  stepPercent?: number;
  stepSeconds?: number;
  bakeSeconds?: number;
}

export const restartCommand = new Command('restart')
  .description(
    'replace the tasks of a service with its release strategy: rolling (new tasks healthy first, then the old ones drain), or blue-green, canary or linear at the edge with test traffic and alarms',
  )
  .argument('<service>', 'service to restart')
  .addOption(configOption())
  .addOption(
    new Option(
      '--strategy <strategy>',
      "this restart's strategy instead of the service's release.strategy",
    ).choices(RELEASE_STRATEGIES),
  )
  .option(
    '--step-percent <percent>',
    'canary: the share moved first; linear: the share added per step; instead of release.stepPercent',
    toPercent,
  )
  .option(
    '--step-seconds <seconds>',
    'canary and linear: seconds each step is held, instead of release.stepMinutes',
    toSeconds,
  )
  .option('--bake-seconds <seconds>', 'seconds of the bake, instead of release.bakeMinutes', toSeconds)
  .action(async (service: string, flags: RestartFlags) => {
    const paths = await runState(flags.config);
    // The running supervisor's services, not the file's: the config may have changed since it started.
    const services = (await remoteStatus(paths)).services.map((s) => s.id);
    if (!services.includes(service))
      throw new UsageError(
        `no service '${service}' in the running berth up (services: ${services.join(', ')})`,
      );
    process.stderr.write(`· restarting ${service}\n`);
    const status = await remoteRestart(paths, service, {
      restart: {
        ...(flags.strategy ? { strategy: flags.strategy } : {}),
        ...(flags.stepPercent !== undefined ? { stepPercent: flags.stepPercent } : {}),
        ...(flags.stepSeconds !== undefined ? { stepSeconds: flags.stepSeconds } : {}),
        ...(flags.bakeSeconds !== undefined ? { bakeSeconds: flags.bakeSeconds } : {}),
      },
      onEvent: printEvent,
    });
    process.stdout.write(`${renderStatus(status)}\n`);
  });
