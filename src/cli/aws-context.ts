import { createInterface } from 'node:readline/promises';
import type { AwsEvent, AwsNotify } from '../aws/index.ts';
import { renderAwsEvent, styles } from './aws-render.ts';

// Declared with --config, in the light context module: local commands take --stage too.
export { loadStageConfig, stageOption, STAGE_HELP } from './context.ts';

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
