import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { remoteRestart } from '../../local/control.ts';
import { statePaths } from '../../local/state/state-dir.ts';
import { configOption } from '../context.ts';
import { renderStatus } from '../local-render.ts';

export const restartCommand = new Command('restart')
  .description(
    'replace the tasks of a service like an ECS rolling deployment: new tasks healthy first, then the old ones drain',
  )
  .argument('<service>', 'service to restart')
  .addOption(configOption())
  .action(async (service: string, flags: { config: string }) => {
    const config = await loadConfig(flags.config);
    process.stderr.write(`· restarting ${service}\n`);
    const status = await remoteRestart(statePaths(config.baseDir), service);
    process.stdout.write(`${renderStatus(status)}\n`);
  });
