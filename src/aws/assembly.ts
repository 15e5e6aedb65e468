import { readFileSync, writeFileSync } from 'node:fs';
import type { ResolvedConfig } from '../config/index.ts';
import { names, synth } from '../infra/index.ts';
import { COST_INPUTS_KEY, costInputs } from './deploy/cost-inputs.ts';

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
  const appStack = names.appStack(config);
  for (const [stack, file] of Object.entries(result.templates)) {
    let template = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // The app stack records the config it is deployed with, for the next diff's cost change.
    if (stack === appStack)
      template = {
        ...template,
        Metadata: { ...(template.Metadata as object | undefined), [COST_INPUTS_KEY]: costInputs(config) },
      };
    if (options.transform) template = options.transform(stack, template);
    writeFileSync(file, JSON.stringify(template));
  }
  return {
    outdir: result.outdir,
    registryStack: names.registryStack(config),
    appStack,
    templates: result.templates,
  };
}
