import { Command, CommanderError } from 'commander';
import { BerthError } from '../shared/errors.ts';
import { EXIT } from './context.ts';

const program = new Command()
  .name('berth')
  .description('Deploy a containerized web app to AWS ECS Fargate; run the same topology here first.')
  .showHelpAfterError('(run berth --help for usage)')
  .exitOverride();

/**
 * Every command, loaded on use: a run imports only the module of the command it names (all of them
 * for `berth --help`). A command module stays light, importing its core (CDK, the SDK, the local
 * supervisor) inside its action, so that `berth --help` and `berth status` start in milliseconds.
 * To add a command: one line here, `name: () => import('./commands/name.ts').then((m) => m.nameCommand)`.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  init: () => import('./commands/init.ts').then((m) => m.initCommand),
  up: () => import('./commands/up.ts').then((m) => m.upCommand),
  down: () => import('./commands/down.ts').then((m) => m.downCommand),
  restart: () => import('./commands/restart.ts').then((m) => m.restartCommand),
  status: () => import('./commands/status.ts').then((m) => m.statusCommand),
  synth: () => import('./commands/synth.ts').then((m) => m.synthCommand),
  check: () => import('./commands/check.ts').then((m) => m.checkCommand),
  schema: () => import('./commands/schema.ts').then((m) => m.schemaCommand),
  build: () => import('./commands/build.ts').then((m) => m.buildCommand),
  mirror: () => import('./commands/mirror.ts').then((m) => m.mirrorCommand),
};

// The program has no options of its own, so the first word that is not a flag names the command.
const named = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);

try {
  for (const command of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) {
    program.addCommand(command.exitOverride().showHelpAfterError('(run berth --help for usage)'));
  }
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
