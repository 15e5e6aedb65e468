import { Command } from 'commander';
import type { InitQuestions, InitResult } from '../../init/index.ts';
import { table } from '../render.ts';

interface InitFlags {
  from?: string;
  app?: string;
  domain?: string;
  frontend?: string;
  api?: string;
  yes?: boolean;
  force?: boolean;
}

export const initCommand = new Command('init')
  .description(
    'write berth.config.ts for the app in this folder: its services, from its folders or a compose file',
  )
  .option(
    '--from <compose-file>',
    'import a compose file (by default compose.yaml or docker-compose.yml here, if any)',
  )
  .option('--app <name>', 'app name (default: the package or folder name)')
  .option('--domain <domain>', 'apex domain (default: <app>.example.com)')
  .option('--frontend <service>', 'the service on the apex host')
  .option('--api <service>', "the service on the api. host, or 'none'")
  .option('-y, --yes', 'ask nothing: take every inferred default')
  .option('--force', 'replace an existing berth.config.ts')
  .action(async (flags: InitFlags) => {
    const { initProject } = await import('../../init/index.ts');
    const terminal = process.stdin.isTTY && process.stdout.isTTY && !flags.yes;
    const prompt = terminal ? await terminalQuestions() : undefined;
    let result: InitResult;
    try {
      result = await initProject({
        dir: process.cwd(),
        ...(flags.from !== undefined ? { from: flags.from } : {}),
        ...(flags.app !== undefined ? { app: flags.app } : {}),
        ...(flags.domain !== undefined ? { domain: flags.domain } : {}),
        ...(flags.frontend !== undefined ? { frontend: flags.frontend } : {}),
        ...(flags.api !== undefined ? { api: flags.api } : {}),
        ...(flags.force ? { force: true } : {}),
        ...(prompt ? { questions: prompt.questions } : {}),
      });
    } finally {
      prompt?.close();
    }
    process.stdout.write(`${renderInit(result)}\n`);
  });

const MARK = { mapped: '✓', 'not-mapped': '✗', database: '◆' } as const;

export function renderInit(result: InitResult): string {
  const from = result.source === 'folders' ? "this folder's services" : result.source;
  const hosts = {
    frontend: `https://${result.app}.localhost:8443`,
    api: `https://api.${result.app}.localhost:8443`,
    internal: '(internal)',
  };
  const out = [
    `berth.config.ts for ${result.app} (${result.domain}) from ${from}:`,
    table(
      ['service', 'from', 'under berth up'],
      result.services.map((s) => [s.id, s.context, hosts[s.role]]),
    ),
    '',
    `wrote ${result.written.join(', ')}`,
  ];
  if (result.report.length > 0)
    out.push(
      '',
      `What was carried over, and what was not (${MARK.mapped} mapped, ${MARK['not-mapped']} not mapped, ${MARK.database} a managed AWS service):`,
      ...result.report.map((r) => `  ${MARK[r.kind]} ${r.key}: ${r.message}`),
    );
  out.push(
    '',
    'Next:',
    '  npx berth up       run every service here, behind the local edge (add --detach for the background)',
    '  npx berth check    the compliance checks of what a deploy would create (offline)',
  );
  return out.join('\n');
}

/** Questions on the terminal, with the suggested answer taken on Enter. */
async function terminalQuestions(): Promise<{ questions: InitQuestions; close: () => void }> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const questions: InitQuestions = {
    async text(question, suggested, check) {
      for (;;) {
        const answer = (await rl.question(`? ${question} (${suggested}) `)).trim() || suggested;
        const problem = check(answer);
        if (!problem) return answer;
        process.stderr.write(`  ${problem}\n`);
      }
    },
    async choose(question, choices, suggested) {
      for (;;) {
        const answer =
          (await rl.question(`? ${question} [${choices.join('/')}] (${suggested}) `)).trim() || suggested;
        if (choices.includes(answer)) return answer;
        process.stderr.write(`  answer one of ${choices.join(', ')}\n`);
      }
    },
    async confirm(question, suggested) {
      const answer = (await rl.question(`? ${question} (${suggested ? 'Y/n' : 'y/N'}) `))
        .trim()
        .toLowerCase();
      return answer === '' ? suggested : answer.startsWith('y');
    },
  };
  return { questions, close: () => rl.close() };
}
