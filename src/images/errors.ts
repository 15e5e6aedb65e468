import { BerthError } from '../shared/errors.ts';

/** A tool berth needs is not installed. */
export class ToolMissingError extends BerthError {
  constructor(
    readonly tool: string,
    hint: string,
    options?: ErrorOptions,
  ) {
    super(`${tool} is not installed; ${hint}`, options);
    this.name = 'ToolMissingError';
  }
}

/** An external tool ran and failed; `stderr` keeps its last lines. */
export class ToolFailedError extends BerthError {
  constructor(
    readonly command: string,
    /** The tool's own exit code (`exitCode` is berth's: 1). */
    readonly toolExitCode: number | null,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`${command} failed (exit ${toolExitCode ?? 'signal'}): ${lastLines(stderr)}`, options);
    this.name = 'ToolFailedError';
  }
}

function lastLines(text: string, count = 5): string {
  // containers/image tools log info lines to stderr before the one that matters.
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line && !/level=(info|debug|warning)/.test(line));
  return lines.length === 0 ? '(no output)' : lines.slice(-count).join('\n');
}
