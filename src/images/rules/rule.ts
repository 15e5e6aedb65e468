import type { ImageFile, ImageModel } from '../model.ts';

/** What a rule may know besides the image: the service it belongs to, from the config. */
export interface RuleContext {
  /** The service's id in the config, so that a problem names the field to change. @example 'frontend' */
  readonly service?: string;
  /** The port the service listens on. */
  readonly port?: number;
  /** Compressed size budget in bytes. */
  readonly budgetBytes?: number;
  /** The service's `architecture`: the CPU its tasks run on. */
  readonly architecture?: 'x86_64' | 'arm64';
  /** Today, for dates such as a runtime's end of life. @default the clock */
  readonly now?: Date;
}

/** One thing wrong, named by the path or field to change. */
export interface Problem {
  /** Path inside the image, when the problem is a file. */
  readonly path?: string;
  readonly message: string;
}

export type RuleOutcome =
  | { readonly status: 'compliant' }
  | { readonly status: 'not-applicable'; readonly reason: string }
  | { readonly status: 'non-compliant'; readonly problems: readonly Problem[] };

/** A pure check over an image model, as cdk-nag rules are over a construct. */
export interface ImageRule {
  /** PascalCase: subject + assertion, e.g. `ImageNoShell`. */
  readonly id: string;
  /** Errors fail `berth check --images`; warnings are reported. */
  readonly level: 'error' | 'warning';
  /** What the rule asks for, in one sentence. */
  readonly description: string;
  /** What to change when it fails. */
  readonly fix: string;
  evaluate(image: ImageModel, context: RuleContext): RuleOutcome;
}

export const compliant: RuleOutcome = { status: 'compliant' };

/** Compliant when nothing is found; one problem per offending path otherwise. */
export function outcomeOf(problems: readonly Problem[]): RuleOutcome {
  return problems.length === 0 ? compliant : { status: 'non-compliant', problems };
}

/** Files that a process could run or read (not directories), whose name is one of `names`. */
export function filesNamed(image: ImageModel, names: ReadonlySet<string>): ImageFile[] {
  const found: ImageFile[] = [];
  for (const file of image.files.values()) {
    if (file.type === 'directory') continue;
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (names.has(base)) found.push(file);
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

export function describe(file: ImageFile): string {
  return file.type === 'symlink' ? `symlink to ${file.linkTarget ?? '?'}` : file.type;
}
