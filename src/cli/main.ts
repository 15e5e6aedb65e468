import { Command, CommanderError } from 'commander';
import { BerthError } from '../shared/errors.ts';
import { bootstrapCommand } from './commands/bootstrap.ts';
import { buildCommand } from './commands/build.ts';
import { checkCommand } from './commands/check.ts';
import { deployCommand } from './commands/deploy.ts';
import { destroyCommand } from './commands/destroy.ts';
import { diffCommand } from './commands/diff.ts';
import { downCommand } from './commands/down.ts';
import { mirrorCommand } from './commands/mirror.ts';
import { restartCommand } from './commands/restart.ts';
import { schemaCommand } from './commands/schema.ts';
import { statusCommand } from './commands/status.ts';
import { synthCommand } from './commands/synth.ts';
import { upCommand } from './commands/up.ts';
import { EXIT } from './context.ts';

// The AWS SDK prints nine lines about Node.js 20 support on every AWS command, between berth's own
// one-line messages; berth's engines field and docs/deploy.md say which Node.js to use instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
  bootstrapCommand,
  diffCommand,
  deployCommand,
  destroyCommand,
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
  if (err instanceof BerthError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berth: ${message}\n`);
  if (process.env.BERTH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(set BERTH_DEBUG=1 for details)\n');
  return EXIT.failed;
}
