import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { configOption, EXIT } from '../context.ts';
import { stderrNotify } from '../aws-context.ts';
import { renderCiBootstrap, renderCiInit } from '../ci-render.ts';

const initCommand = new Command('init')
  .description(
    'write the CI definition for every stage: a GitHub Actions workflow, or a POSIX sh script for any other CI',
  )
  .addOption(configOption())
  .addOption(
    new Option('--provider <provider>', 'which CI').choices(['github', 'script']).makeOptionMandatory(),
  )
  .option(
    '--out <path>',
    'where to write (default .github/workflows/berth.yml or berth-ci.sh at the repository root)',
  )
  .option('--branch <name>', "the branch whose pushes deploy (default: origin's default branch, else main)")
  .option('--force', 'replace a different file already there')
  .addHelpText(
    'after',
    '\nExamples:\n  berth ci init --provider github\n  berth ci init --provider script --out ci/berth.sh',
  )
  .action(
    async (flags: {
      config: string;
      provider: 'github' | 'script';
      out?: string;
      branch?: string;
      force?: boolean;
    }) => {
      const config = await loadConfig(flags.config);
      const { ciInit } = await import('../../ci/index.ts');
      const result = await ciInit(config, {
        provider: flags.provider,
        configFile: path.resolve(flags.config),
        ...(flags.out ? { out: path.resolve(flags.out) } : {}),
        ...(flags.branch ? { branch: flags.branch } : {}),
        force: flags.force ?? false,
      });
      process.stdout.write(`${renderCiInit(result)}\n`);
      process.exitCode = EXIT.ok;
    },
  );

const bootstrapCommand = new Command('bootstrap')
  .description(
    "in the stages' AWS account: GitHub's OIDC provider and a role per stage that only this repository's workflows can assume",
  )
  .addOption(configOption())
  .addOption(new Option('--provider <provider>', 'which CI').choices(['github']).makeOptionMandatory())
  .requiredOption('--repo <owner/name>', 'the GitHub repository whose workflows deploy')
  .option('-s, --stage <name...>', 'only these stages (default: every stage; they must share one account)')
  .option('--json', 'print the result as JSON on stdout')
  .option('-v, --verbose', "also show the toolkit's debug messages")
  .addHelpText(
    'after',
    '\nExample:\n  AWS_PROFILE=prod berth ci bootstrap --provider github --repo octo-org/cruddur',
  )
  .action(
    async (flags: {
      config: string;
      provider: 'github';
      repo: string;
      stage?: string[];
      json?: boolean;
      verbose?: boolean;
    }) => {
      const config = await loadConfig(flags.config);
      const { ciBootstrap } = await import('../../ci/index.ts');
      const result = await ciBootstrap(config, {
        provider: flags.provider,
        repo: flags.repo,
        ...(flags.stage ? { stages: flags.stage } : {}),
        notify: stderrNotify({ verbose: flags.verbose ?? false }),
      });
      process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderCiBootstrap(result)}\n`);
      process.exitCode = EXIT.ok;
    },
  );

export const ciCommand = new Command('ci')
  .description(
    'continuous delivery: write the CI workflow (init) and give it AWS access without stored keys (bootstrap)',
  )
  // main.ts sets these on each top-level command; a subcommand added here needs its own (a usage error exits 2).
  .addCommand(initCommand.exitOverride().showHelpAfterError('(run berth ci init --help for usage)'))
  .addCommand(
    bootstrapCommand.exitOverride().showHelpAfterError('(run berth ci bootstrap --help for usage)'),
  );
