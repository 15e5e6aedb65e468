import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { configJsonSchema } from '../../config/index.ts';
import { pathFlagError, requirePath } from '../context.ts';

export const schemaCommand = new Command('schema')
  .description("print the config's JSON Schema (for editor completion), or write it to a file")
  .option('-o, --out <file>', 'write to this file instead of stdout')
  .action((opts: { out?: string }) => {
    requirePath('--out', opts.out);
    const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
    if (opts.out === undefined) return void process.stdout.write(text);
    try {
      writeFileSync(opts.out, text);
    } catch (err) {
      throw pathFlagError(err, '--out', opts.out);
    }
  });
