/**
 * A failure the user can act on: a bad config or flag (exit 2), a missing tool, a task that never
 * became healthy, a check that failed (exit 1). The CLI prints its message as it is, without a
 * stack; anything else that is thrown is a bug in berth and says so.
 */
export class BerthError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, options: ErrorOptions & { readonly exitCode?: 1 | 2 } = {}) {
    super(message, options);
    this.name = 'BerthError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * The user's input is wrong (a flag, a service name, a request the running topology refuses):
 * exit code 2, like a bad config. One class for every command; the message names the fix.
 */
export class UsageError extends BerthError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

/**
 * What kind of value a message talks about, never the value itself, which may be a secret:
 * `null`, `an array`, `an object`, `a string`, `a number`.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The first line of an error's message: SDK and toolkit errors go on with details a one-line report does not want. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
