import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import reference from '../examples/cruddur/berth.config.ts';
import { ConfigError, parseConfig, type BerthConfig, type ResolvedConfig } from '../src/config/index.ts';
import { synth, type SynthResult } from '../src/infra/index.ts';

export const REFERENCE_FILE = path.resolve(import.meta.dirname, '../examples/cruddur/berth.config.ts');

/** The reference Cruddur config, optionally changed, as berth resolves it. */
export function cruddur(change: (c: BerthConfig) => BerthConfig = (c) => c): ResolvedConfig {
  return parseConfig(change(structuredClone(reference)), REFERENCE_FILE);
}

/**
 * The issues of a changed copy of the reference config, as `path: message` lines; none when it
 * parses. `change` edits the raw object, which may leave it any shape at all.
 */
export function configProblems(change: (c: any) => void): string[] {
  const raw = structuredClone(reference) as any;
  change(raw);
  try {
    parseConfig(raw as BerthConfig, REFERENCE_FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

export interface Synthesized {
  readonly result: SynthResult;
  readonly app: Template;
  readonly registry: Template;
  readonly appJson: Record<string, any>;
}

/** Synthesizes without the compliance plugins (their own tests run them) and loads both templates. */
export function synthesize(config: ResolvedConfig, validate = false): Synthesized {
  const result = synth(config, { validate });
  const json = (stack: string) => JSON.parse(readFileSync(result.templates[stack]!, 'utf8'));
  const appJson = json(result.appStack.stackName);
  return {
    result,
    app: Template.fromJSON(appJson),
    registry: Template.fromJSON(json(result.registryStack.stackName)),
    appJson,
  };
}
