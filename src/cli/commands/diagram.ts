import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { configOption, loadStageConfig, pathFlagError, stageOption } from '../context.ts';

export const diagramCommand = new Command('diagram')
  .description('draw the deployment from the synthesized templates (SVG, Mermaid or Graphviz DOT)')
  .addOption(configOption())
  .addOption(stageOption())
  .addOption(
    new Option('-f, --format <format>', 'output format').choices(['svg', 'mermaid', 'dot']).default('svg'),
  )
  .option('-o, --out <file>', 'write to this file instead of stdout')
  .action(
    async (opts: { config: string; stage?: string; format: 'svg' | 'mermaid' | 'dot'; out?: string }) => {
      const config = await loadStageConfig(opts);
      // Loaded on use: drawing synthesizes the stacks, and aws-cdk-lib takes seconds to import.
      const { diagram } = await import('../../diagram/index.ts');
      const { text } = await diagram(config, opts.format);
      if (!opts.out) return void process.stdout.write(text);
      try {
        writeFileSync(opts.out, text);
      } catch (err) {
        throw pathFlagError(err, '--out', opts.out);
      }
    },
  );
