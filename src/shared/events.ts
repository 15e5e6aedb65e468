/**
 * What a core operation reports while it works. The core emits events; the CLI decides how they
 * look; tests record them. Each concern declares its own codes.
 */
export interface ProgressEvent<Code extends string> {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly code: Code;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}
