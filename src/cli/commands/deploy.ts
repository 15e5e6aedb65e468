import { Command, Option } from 'commander';
import type { DeployOptions, DeployResult, DeploySteps } from '../../aws/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { configOption, EXIT } from '../context.ts';
import { confirm, loadStageConfig, stageOption, stderrNotify } from '../aws-context.ts';
import { renderDeploy } from '../aws-render.ts';

export const deployCommand = new Command('deploy')
  .description(
    'check, build and push images, gate on scans, deploy the stacks, wait for ECS, verify from outside',
  )
  .addOption(configOption())
  .addOption(stageOption())
  .option('--service <id...>', 'deploy new images of these services only; the others keep theirs')
  .option(
    '--images-from <stage>',
    'build and push nothing: deploy the exact image digests that stage runs (same account and region)',
  )
  .addOption(
    new Option('--fail-on <level>', 'stop when image scan findings reach this severity')
      .choices(['CRITICAL', 'HIGH', 'MEDIUM', 'NONE'])
      .default('CRITICAL'),
  )
  .addOption(new Option('--engine <engine>', 'build images with').choices(['podman', 'docker']))
  .option('-y, --yes', 'answer yes (delete a stack a failed first create left behind) when not on a terminal')
  .option('--json', 'print the result as JSON on stdout')
  .option('-v, --verbose', "also show the toolkit's debug messages")
  .addHelpText(
    'after',
    '\nExample:\n  berth deploy --stage prod --fail-on HIGH\n\nPromoting what staging runs, by digest (nothing built or pushed):\n  berth deploy --stage prod --images-from staging',
  )
  .action(async (flags: DeployFlags) => {
    // Deploy builds the images it pushes: their folders are checked before anything else.
    const config = await loadStageConfig(flags, { files: 'images' });
    const { defaultSteps } = await import('../../aws/deploy/default-steps.ts');
    const result = await runDeploy(config, defaultSteps(), flags, {});
    process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : renderDeploy(result)}\n`);
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  });

export interface DeployFlags {
  config: string;
  stage?: string;
  service?: string[];
  imagesFrom?: string;
  failOn: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'NONE';
  engine?: 'podman' | 'docker';
  yes?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/**
 * The deploy as the command runs it, Ctrl-C included: the first SIGINT cancels a stack update
 * (and the deploy waits for CloudFormation's rollback); a second leaves CloudFormation running
 * and says how to follow it. Exported for the test that signals a real child process.
 */
export async function runDeploy(
  config: ResolvedConfig,
  steps: DeploySteps,
  flags: DeployFlags,
  more: Partial<DeployOptions>,
): Promise<DeployResult> {
  const notify = stderrNotify({ verbose: flags.verbose ?? false });
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        'Cancelling: a stack update in progress is rolled back (Ctrl-C again to leave it running).\n',
      );
      abort.abort();
      return;
    }
    process.stderr.write(
      `Left running in CloudFormation. Follow it with: berth status --stage ${config.stage}${flags.config === 'berth.config.ts' ? '' : ` --config ${flags.config}`}\n`,
    );
    process.exit(EXIT.failed);
  };
  process.on('SIGINT', onSigint);
  try {
    const { deploy } = await import('../../aws/index.ts');
    return await deploy(config, {
      steps,
      notify,
      failOn: flags.failOn,
      ...(flags.service ? { services: flags.service } : {}),
      ...(flags.imagesFrom !== undefined ? { imagesFrom: flags.imagesFrom } : {}),
      ...(flags.engine ? { engine: flags.engine } : {}),
      confirmDelete: (stack) =>
        confirm(`Delete ${stack} so that it can be created again?`, flags.yes ?? false),
      signal: abort.signal,
      ...more,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
