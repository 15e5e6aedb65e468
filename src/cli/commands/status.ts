import { Command, Option } from 'commander';
// The control client only: status without --stage loads none of berth up itself.
import { remoteStatus } from '../../local/control.ts';
import { printProgress, renderStageStatus } from '../operate-render.ts';
import { configOption, runState } from '../context.ts';
import { renderStatus } from '../local-render.ts';
import { sleep } from '../../shared/net.ts';

const LOCAL = 'local run';
const WATCH_INTERVAL_MS = 5_000;

export const statusCommand = new Command('status')
  .description(
    'show what runs: the local run (berth up) by default, or a deployed stage with --stage: tasks, rollout, image, target health and URLs',
  )
  .addOption(configOption())
  .addOption(new Option('-s, --stage <name>', 'answer for this deployed stage instead of the local run'))
  .option('--json', 'print the status as JSON (with --watch, one JSON document per line)')
  .option('--watch', `read it again every ${WATCH_INTERVAL_MS / 1000} s until Ctrl-C`)
  .addHelpText(
    'after',
    `
Examples:
  berth status                       the local run (berth up)
  berth status --stage prod          the deployed stage prod
  berth status --stage prod --watch  follow a rollout until Ctrl-C`,
  )
  .action(async (flags: { config: string; stage?: string; json?: boolean; watch?: boolean }) => {
    const read = async (): Promise<{ json: unknown; text: string }> => {
      if (flags.stage === undefined) {
        const status = await remoteStatus(await runState(flags.config));
        return { json: { answeredBy: LOCAL, ...status }, text: `${LOCAL}\n\n${renderStatus(status)}` };
      }
      const { loadConfig } = await import('../../config/index.ts');
      const config = await loadConfig(flags.config, process.cwd(), { stage: flags.stage });
      const { stageStatus } = await import('../../aws/status.ts');
      const status = await stageStatus({
        config,
        ...(flags.json ? {} : { notify: (e) => e.level !== 'info' && printProgress(e) }),
      });
      return { json: status, text: renderStageStatus(status) };
    };
    if (!flags.watch) {
      const { json, text } = await read();
      process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
      return;
    }
    await watch(read, Boolean(flags.json));
  });

/** Reads and prints until Ctrl-C; a TTY shows the latest snapshot only, a pipe gets every one. */
async function watch(read: () => Promise<{ json: unknown; text: string }>, json: boolean): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    while (!stop.signal.aborted) {
      const { json: data, text } = await read();
      if (json) process.stdout.write(`${JSON.stringify(data)}\n`);
      else if (process.stdout.isTTY)
        process.stdout.write(`\x1b[2J\x1b[H${text}\n\n(every ${WATCH_INTERVAL_MS / 1000} s; Ctrl-C stops)\n`);
      else process.stdout.write(`${new Date().toISOString()}\n${text}\n\n`);
      await sleep(WATCH_INTERVAL_MS, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}
