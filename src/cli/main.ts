import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BerthError } from '../shared/errors.ts';
import { EXIT } from './exit-codes.ts';

const program = new Command()
  .name('berth')
  .description('Deploy a containerized web app to AWS ECS Fargate; run the same topology here first.')
  .version(packageVersion(), '-V, --version', "print berth's version")
  .showHelpAfterError('(run berth --help for usage)')
  .exitOverride();

/** The version in berth's own package.json (the root here, the package's root once installed). */
function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Every command, loaded on use. A run imports only the module of the command it names; `berth
 * --help` imports none and lists these summaries (the command's own `--help` has its full
 * description). A command module stays light too, importing its core (CDK, the SDK, the local
 * supervisor) inside its action. To add a command: one entry here, with its summary and
 * `load: () => import('./commands/<name>.ts').then((m) => m.<name>Command)`.
 */
const COMMANDS: Readonly<
  Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>
> = {
  init: {
    summary: 'write berth.config.ts for the app in this folder, from its folders or its compose file',
    load: () => import('./commands/init.ts').then((m) => m.initCommand),
  },
  up: {
    summary: 'run the whole topology on this machine: every service, behind a local edge with the ALB rules',
    load: () => import('./commands/up.ts').then((m) => m.upCommand),
  },
  down: {
    summary: 'stop what berth up runs for this config, draining first',
    load: () => import('./commands/down.ts').then((m) => m.downCommand),
  },
  restart: {
    summary: 'replace the tasks of a service with its release strategy (rolling, blue-green, canary, linear)',
    load: () => import('./commands/restart.ts').then((m) => m.restartCommand),
  },
  status: {
    summary: 'show what runs: the local run of berth up, or a deployed stage with --stage',
    load: () => import('./commands/status.ts').then((m) => m.statusCommand),
  },
  stages: {
    summary: "list the config's stages: account, region, domain, production, and what each overrides",
    load: () => import('./commands/stages.ts').then((m) => m.stagesCommand),
  },
  bootstrap: {
    summary: "prepare the config's AWS account and region for deploys, once (CDK's bootstrap, hardened)",
    load: () => import('./commands/bootstrap.ts').then((m) => m.bootstrapCommand),
  },
  deploy: {
    summary: 'check, build and push images, gate on scans, deploy the stacks, wait for ECS, verify',
    load: () => import('./commands/deploy.ts').then((m) => m.deployCommand),
  },
  rollback: {
    summary:
      'go back to the previous version of a stage (a release in flight: ECS rollback; else the previous task definition)',
    load: () => import('./commands/rollback.ts').then((m) => m.rollbackCommand),
  },
  diff: {
    summary: 'show what a deploy of a stage would change, IAM and security groups called out',
    load: () => import('./commands/diff.ts').then((m) => m.diffCommand),
  },
  destroy: {
    summary: "delete a stage's app stack (the registry and its images stay unless --purge-images)",
    load: () => import('./commands/destroy.ts').then((m) => m.destroyCommand),
  },
  logs: {
    summary: "show a deployed service's CloudWatch Logs, oldest first; --follow keeps reading",
    load: () => import('./commands/logs.ts').then((m) => m.logsCommand),
  },
  exec: {
    summary: 'run a command in a deployed task with ECS Exec (the images have no shell)',
    load: () => import('./commands/exec.ts').then((m) => m.execCommand),
  },
  ci: {
    summary:
      'continuous delivery: write a CI workflow for every stage, and give it AWS access with OIDC (no stored keys)',
    load: () => import('./commands/ci.ts').then((m) => m.ciCommand),
  },
  synth: {
    summary: 'write the CloudFormation templates for the config',
    load: () => import('./commands/synth.ts').then((m) => m.synthCommand),
  },
  check: {
    summary:
      'synthesize and run every check: cdk-nag packs, Control Tower rules, network reachability, cfn-lint',
    load: () => import('./commands/check.ts').then((m) => m.checkCommand),
  },
  cost: {
    summary: 'estimate what the config costs a month on AWS, line by line with the arithmetic',
    load: () => import('./commands/cost.ts').then((m) => m.costCommand),
  },
  diagram: {
    summary:
      'draw the deployment from the synthesized templates, or the local run with --local (SVG, PNG, Mermaid, DOT)',
    load: () => import('./commands/diagram.ts').then((m) => m.diagramCommand),
  },
  schema: {
    summary: "print the config's JSON Schema (for editor completion), or write it to a file",
    load: () => import('./commands/schema.ts').then((m) => m.schemaCommand),
  },
  build: {
    summary: 'build the image of every service that has image.context',
    load: () => import('./commands/build.ts').then((m) => m.buildCommand),
  },
  mirror: {
    summary: 'copy a base image (every layer, by digest) into the private base repository',
    load: () => import('./commands/mirror.ts').then((m) => m.mirrorCommand),
  },
};

/** The command a command line names (`berth up -d`, `berth help up`), if it is one of ours. */
function namedCommand(args: readonly string[]): string | undefined {
  // The program has no options of its own, so the first word that is not a flag names the command.
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

try {
  const named = namedCommand(process.argv.slice(2));
  for (const [name, { summary, load }] of Object.entries(COMMANDS)) {
    // The named command in full; the others only as a line in the list (or an unknown command's error).
    const command = name === named ? await load() : new Command(name).summary(summary);
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
