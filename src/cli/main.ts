import { Command, CommanderError } from 'commander';
// Not from checks/index.ts: that loads aws-cdk-lib, seconds that berth up/down/status need not wait.
import { CfnLintUnavailableError } from '../checks/cfn-lint.ts';
import { ConfigError } from '../config/index.ts';
import { OutdirNotEmptyError } from '../infra/errors.ts';
import { ImageUserError, ToolFailedError } from '../images/errors.ts';
import { LocalUsageError, LocalUserError, TaskFailedError } from '../local/index.ts';
import { buildCommand } from './commands/build.ts';
import { checkCommand } from './commands/check.ts';
import { downCommand } from './commands/down.ts';
import { mirrorCommand } from './commands/mirror.ts';
import { restartCommand } from './commands/restart.ts';
import { schemaCommand } from './commands/schema.ts';
import { statusCommand } from './commands/status.ts';
import { synthCommand } from './commands/synth.ts';
import { upCommand } from './commands/up.ts';
import { EXIT } from './context.ts';

const program = new Command()
  .name('berth')
  .description('Deploy a containerized web app to AWS ECS Fargate; run the same topology here first.')
  .showHelpAfterError('(run berth --help for usage)')
  .exitOverride();

for (const command of [
  upCommand,
  downCommand,
  restartCommand,
  statusCommand,
  synthCommand,
  checkCommand,
  schemaCommand,
  buildCommand,
  mirrorCommand,
]) {
  program.addCommand(command.exitOverride().showHelpAfterError('(run berth --help for usage)'));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

/** User errors get one clear message; only unexpected failures show a stack, and only with BERTH_DEBUG. */
function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof ConfigError) {
    process.stderr.write(`berth: invalid config ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof OutdirNotEmptyError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return EXIT.usage;
  }
  // A task that never became healthy or a tool that failed is an expected failure: no stack hint.
  if (err instanceof LocalUserError || err instanceof TaskFailedError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return err instanceof LocalUsageError ? EXIT.usage : EXIT.failed;
  }
  if (err instanceof ImageUserError || err instanceof ToolFailedError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return EXIT.failed;
  }
  if (err instanceof CfnLintUnavailableError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return EXIT.failed;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berth: ${message}\n`);
  if (process.env.BERTH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(set BERTH_DEBUG=1 for details)\n');
  return EXIT.failed;
}
