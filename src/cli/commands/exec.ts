import { Command } from 'commander';
import { printProgress } from '../operate-render.ts';
import { loadStageConfig, stageOption } from '../aws-context.ts';
import { configOption } from '../context.ts';

export const execCommand = new Command('exec')
  .description(
    'run a program in a running task of a deployed service (ECS Exec through the Session Manager plugin)',
  )
  .argument('<service>', 'service id from the config, e.g. backend')
  .argument('[command...]', 'the program and its arguments, after -- (the images have no shell)')
  .addOption(configOption())
  .addOption(stageOption())
  .option('--task <id>', "a task id (default: the service's first running task)")
  .addHelpText(
    'after',
    `
The images have no shell by design: name the program to run.

Examples:
  berth exec backend -- node                         a Node.js REPL in the backend task
  berth exec backend -- node -e "console.log(process.env.ACTIVITIES_TABLE)"
  berth exec backend --stage staging --task 0123456789abcdef -- node`,
  )
  .action(
    async (service: string, command: string[], flags: { config: string; stage?: string; task?: string }) => {
      const config = await loadStageConfig(flags);
      const { execCommand: exec } = await import('../../aws/exec.ts');
      const result = await exec({
        config,
        service,
        command,
        ...(flags.task ? { task: flags.task } : {}),
        notify: printProgress,
      });
      process.exitCode = result.exitCode;
    },
  );
