import type { FieldErrors } from './types.ts';

/**
 * - `network`: the request never got an answer (backend down, DNS, CORS).
 * - `http`: the backend answered with an error status.
 * - `invalid-response`: the backend answered 2xx with a body we don't understand.
 */
export type ApiErrorKind = 'network' | 'http' | 'invalid-response';

export interface ApiErrorDetails {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly fields?: FieldErrors;
  readonly cause?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ApiErrorKind;
  /** The HTTP status, when the backend answered. */
  readonly status: number | null;
  /** Validation messages keyed by form field, from a 400 response. */
  readonly fields: FieldErrors;

  constructor(message: string, details: ApiErrorDetails) {
    super(message, { cause: details.cause });
    this.kind = details.kind;
    this.status = details.status ?? null;
    this.fields = details.fields ?? {};
  }
}
