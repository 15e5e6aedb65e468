import { BerthError } from '../shared/errors.ts';

/** One problem in a config, with the path a user must edit. */
export interface ConfigIssue {
  /** Dotted path such as `services.backend.cpu`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** A config that cannot be used. Carries every problem found, not only the first. */
export class ConfigError extends BerthError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(
      `invalid config ${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'),
      { exitCode: 2 },
    );
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}
