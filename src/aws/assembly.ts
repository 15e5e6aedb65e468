import { readFileSync, writeFileSync } from 'node:fs';
import type { ResolvedConfig } from '../config/index.ts';
import { names, synth } from '../infra/index.ts';

/**
 * A rewrite of a synthesized template before the toolkit reads it. Only tests pass one: moto, the
 * AWS emulator, lacks some resource types (docs/testing.md lists each stand-in).
 */
export type TemplateTransform = (stack: string, template: Record<string, unknown>) => Record<string, unknown>;

export interface Assembly {
  readonly outdir: string;
  readonly registryStack: string;
  readonly appStack: string;
  readonly templates: Readonly<Record<string, string>>;
}

/**
 * berth's own synth, written to a cloud assembly directory the toolkit deploys from
 * (`toolkit.fromAssemblyDirectory`). The compliance plugins do not run here: `deploy` runs the
 * full check first, and `diff` and `destroy` change nothing that a check would judge.
 */
export function synthAssembly(
  config: ResolvedConfig,
  options: { imageVersions?: Readonly<Record<string, string>>; transform?: TemplateTransform } = {},
): Assembly {
  const result = synth(config, { validate: false, imageVersions: options.imageVersions ?? {} });
  if (options.transform) {
    for (const [stack, file] of Object.entries(result.templates)) {
      writeFileSync(file, JSON.stringify(options.transform(stack, JSON.parse(readFileSync(file, 'utf8')))));
    }
  }
  return {
    outdir: result.outdir,
    registryStack: names.registryStack(config),
    appStack: names.appStack(config),
    templates: result.templates,
  };
}
