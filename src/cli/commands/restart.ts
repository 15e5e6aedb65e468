import { Command } from 'commander';
import { remoteRestart, remoteStatus } from '../../local/control.ts';
import { UsageError } from '../../shared/errors.ts';
import { configOption, runState } from '../context.ts';
import { renderStatus } from '../local-render.ts';

export const restartCommand = new Command('restart')
  .description(
    'replace the tasks of a service like an ECS rolling deployment: new tasks healthy first, then the old ones drain',
  )
  .argument('<service>', 'service to restart')
  .addOption(configOption())
  .action(async (service: string, flags: { config: string }) => {
    const paths = await runState(flags.config);
    // The running supervisor's services, not the file's: the config may have changed since it started.
    const services = (await remoteStatus(paths)).services.map((s) => s.id);
    if (!services.includes(service))
      throw new UsageError(
        `no service '${service}' in the running berth up (services: ${services.join(', ')})`,
      );
    process.stderr.write(`· restarting ${service}\n`);
    const status = await remoteRestart(paths, service);
    process.stdout.write(`${renderStatus(status)}\n`);
  });
