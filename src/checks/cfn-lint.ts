import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../shared/errors.ts';
import type { Finding } from './findings.ts';

const run = promisify(execFile);

interface CfnLintMatch {
  readonly Rule: { readonly Id: string; readonly Description?: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Location?: { readonly Path?: readonly (string | number)[] };
}

/** Raised when cfn-lint itself is missing or broken, as opposed to finding problems. */
export class CfnLintUnavailableError extends BerthError {
  constructor(reason: string) {
    super(
      `cfn-lint could not run: ${reason}. Install it (pip install cfn-lint) or run berth check --skip-lint.`,
    );
    this.name = 'CfnLintUnavailableError';
  }
}

/** Runs cfn-lint over the templates; every error and warning becomes a finding. */
export async function lintTemplates(
  templates: readonly string[],
  executable = 'cfn-lint',
): Promise<Finding[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(executable, ['--format', 'json', '--', ...templates], {
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; code?: string | number };
    // cfn-lint exits non-zero when it finds something; its JSON is still on stdout.
    if (typeof e.code === 'number' && e.stdout) stdout = e.stdout;
    else throw new CfnLintUnavailableError(e.code === 'ENOENT' ? `${executable} is not on PATH` : e.message);
  }
  const matches = JSON.parse(stdout || '[]') as CfnLintMatch[];
  return matches.map((m) => ({
    source: 'cfn-lint',
    pack: 'cfn-lint',
    rule: m.Rule.Id,
    severity: m.Level === 'Error' ? 'error' : m.Level === 'Warning' ? 'warning' : 'info',
    resource: `${m.Filename.split('/').pop()}:${(m.Location?.Path ?? []).join('/')}`,
    message: m.Message,
  }));
}
