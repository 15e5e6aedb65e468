import { Command, Option } from 'commander';
import { configOption, EXIT } from '../context.ts';
import { loadStageConfig, stageOption, stderrNotify } from '../aws-context.ts';
import { renderDiff } from '../aws-render.ts';

export const diffCommand = new Command('diff')
  .description(
    'show what a deploy of the stage would change, resource by resource, IAM and security groups called out',
  )
  .addOption(configOption())
  .addOption(stageOption())
  .option('--fail', 'exit 1 when anything would change')
  .option('--json', 'print the result as JSON on stdout')
  .option('-v, --verbose', "also show the toolkit's debug messages")
  .addOption(
    new Option(
      '--method <method>',
      'change-set asks CloudFormation; template compares with the deployed template',
    )
      .choices(['change-set', 'template'])
      .default('change-set'),
  )
  .addHelpText('after', '\nExample:\n  berth diff --stage prod --fail')
  .action(async (flags: DiffFlags) => {
    const config = await loadStageConfig(flags);
    const { diff } = await import('../../aws/index.ts');
    const result = await diff(config, {
      notify: stderrNotify({ verbose: flags.verbose ?? false }),
      method: flags.method,
    });
    process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderDiff(result)}\n`);
    process.exitCode = flags.fail && result.changed ? EXIT.failed : EXIT.ok;
  });

interface DiffFlags {
  config: string;
  stage?: string;
  fail?: boolean;
  json?: boolean;
  verbose?: boolean;
  method: 'change-set' | 'template';
}
