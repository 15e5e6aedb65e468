import { createInterface } from 'node:readline/promises';
import { Option } from 'commander';
import type { AwsEvent, AwsNotify } from '../aws/index.ts';
import { loadConfig, type LoadOptions, type ResolvedConfig } from '../config/index.ts';
import { renderAwsEvent, styles } from './aws-render.ts';

/** `--stage NAME`, the same on every AWS command. */
export const stageOption = () =>
  new Option(
    '-s, --stage <name>',
    'the deployed environment: stacks and resources are named with it',
  ).default('prod');

export function loadStageConfig(
  flags: { config: string; stage: string },
  options: Pick<LoadOptions, 'files'> = {},
): Promise<ResolvedConfig> {
  return loadConfig(flags.config, process.cwd(), { stage: flags.stage, ...options });
}

/** Progress on stderr, one line per event, with the time since the command started. */
export function stderrNotify(options: { verbose?: boolean } = {}): AwsNotify {
  const start = Date.now();
  const style = styles(process.stderr);
  return (event: AwsEvent) => {
    const line = renderAwsEvent(event, {
      style,
      elapsedMs: Date.now() - start,
      verbose: options.verbose ?? false,
    });
    if (line) process.stderr.write(`${line}\n`);
  };
}

/**
 * A yes/no question on the terminal; never asked when stdin or stderr is not a TTY (CI): the
 * answer is then `yes` (from --yes) or no.
 */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
