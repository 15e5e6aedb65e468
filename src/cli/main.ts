import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CfnLintUnavailableError, check } from '../checks/index.ts';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../config/index.ts';
import { synth } from '../infra/index.ts';
import { renderAcknowledged, renderCheck, table } from './render.ts';

/** Exit codes: 0 fine, 1 findings or a failed operation, 2 bad config or flags. */
const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

const program = new Command()
  .name('berth')
  .description('Deploy a containerized web app to AWS ECS Fargate; run the same topology here first.')
  .showHelpAfterError('(run berth --help for usage)')
  .exitOverride();

const configOption = () =>
  new Option('-c, --config <file>', 'deployment config').default(DEFAULT_CONFIG_FILE);

program
  .command('synth')
  .description('write the CloudFormation templates for the config')
  .addOption(configOption())
  .option('-o, --out <dir>', 'output directory', 'cdk.out')
  .option('--no-validate', 'skip the compliance plugins (faster)')
  .action(async (opts: { config: string; out: string; validate: boolean }) => {
    const config = await loadConfig(opts.config);
    const outdir = path.resolve(opts.out);
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const result = synth(config, { outdir, validate: opts.validate });
    process.stdout.write(
      `${table(
        ['stack', 'template'],
        Object.entries(result.templates).map(([stack, file]) => [stack, path.relative(process.cwd(), file)]),
      )}\n`,
    );
  });

program
  .command('check')
  .description('synthesize and run every compliance check (cdk-nag packs, Control Tower rules, cfn-lint)')
  .addOption(configOption())
  .option('--json', 'print the result as JSON')
  .option('--acknowledged', 'also list the findings acknowledged by design, with their reasons')
  .option('--skip-lint', 'do not run cfn-lint')
  .action(async (opts: { config: string; json?: boolean; acknowledged?: boolean; skipLint?: boolean }) => {
    const config = await loadConfig(opts.config);
    const result = await check(config, { skipLint: opts.skipLint ?? false });
    if (opts.json) {
      const { templates: _templates, ...rest } = result;
      process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderCheck(result)}\n`);
      if (opts.acknowledged) process.stdout.write(`\n${renderAcknowledged(result.acknowledged)}\n`);
    }
    process.exitCode = result.passed ? EXIT.ok : EXIT.findings;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

/** User errors get one clear message; only unexpected failures show a stack, and only with BERTH_DEBUG. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`berth: invalid config ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof CfnLintUnavailableError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return EXIT.findings;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berth: ${message}\n`);
  if (process.env.BERTH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(set BERTH_DEBUG=1 for details)\n');
  return EXIT.findings;
}
