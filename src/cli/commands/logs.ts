import { Command } from 'commander';
import { printProgress, renderLogLine } from '../operate-render.ts';
import { loadStageConfig, stageOption } from '../aws-context.ts';
import { configOption } from '../context.ts';

export const logsCommand = new Command('logs')
  .description("show a deployed service's CloudWatch Logs, oldest first; --follow keeps reading until Ctrl-C")
  .argument('<service>', 'service id from the config, e.g. backend')
  .addOption(configOption())
  .addOption(stageOption())
  .option(
    '--since <when>',
    'start this long ago (30s, 10m, 2h, 1d) or at a date (2026-12-06T09:00:00Z)',
    '10m',
  )
  .option('--follow', 'keep printing new events until Ctrl-C')
  .option('--json', 'print each line as the service wrote it (berth apps write JSON lines)')
  .addHelpText(
    'after',
    `
Examples:
  berth logs backend                         the last 10 minutes, readable
  berth logs backend --since 2h --json | jq  raw JSON lines
  berth logs frontend --stage staging --follow`,
  )
  .action(
    async (
      service: string,
      flags: { config: string; stage?: string; since: string; follow?: boolean; json?: boolean },
    ) => {
      const config = await loadStageConfig(flags);
      const { readLogs } = await import('../../aws/logs.ts');
      const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      try {
        const result = await readLogs({
          config,
          service,
          since: flags.since,
          follow: Boolean(flags.follow),
          signal: stop.signal,
          notify: printProgress,
          onLine: (line) =>
            process.stdout.write(`${flags.json ? line.message : renderLogLine(line, colour)}\n`),
        });
        if (result.lines === 0 && !flags.follow)
          process.stderr.write(`no events in ${result.logGroup} since ${flags.since}; try --since 1d\n`);
      } finally {
        process.off('SIGINT', onSignal);
      }
    },
  );
