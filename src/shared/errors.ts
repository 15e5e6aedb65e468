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
