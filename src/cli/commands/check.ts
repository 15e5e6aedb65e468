import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { EXIT, configOption } from '../context.ts';
import { renderAcknowledged, renderCheck } from '../render.ts';

export const checkCommand = new Command('check')
  .description('synthesize and run every compliance check (cdk-nag packs, Control Tower rules, cfn-lint)')
  .addOption(configOption())
  .option('--json', 'print the result as JSON')
  .option('--acknowledged', 'also list the findings acknowledged by design, with their reasons')
  .option('--skip-lint', 'do not run cfn-lint')
  .action(async (opts: { config: string; json?: boolean; acknowledged?: boolean; skipLint?: boolean }) => {
    const config = await loadConfig(opts.config);
    // Loaded on use: aws-cdk-lib takes seconds to import, and other commands do not need it.
    const { check } = await import('../../checks/index.ts');
    const result = await check(config, { skipLint: opts.skipLint ?? false });
    if (opts.json) {
      const { templates: _templates, ...rest } = result;
      process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderCheck(result)}\n`);
      if (opts.acknowledged) process.stdout.write(`\n${renderAcknowledged(result.acknowledged)}\n`);
    }
    process.exitCode = result.passed ? EXIT.ok : EXIT.failed;
  });
