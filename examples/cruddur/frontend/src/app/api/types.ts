/** One post on the home feed, as the backend returns it. */
export interface Activity {
  readonly id: string;
  readonly handle: string;
  readonly message: string;
  /** ISO 8601 timestamp. */
  readonly createdAt: string;
}

/** One page of the home feed, newest first. */
export interface ActivityPage {
  readonly activities: readonly Activity[];
  /** Pass as `before` to get the next (older) page; `null` when there is none. */
  readonly nextBefore: string | null;
}

export interface NewActivity {
  readonly handle: string;
  readonly message: string;
}

/** Per-field validation messages from a 400 response. */
export interface FieldErrors {
  readonly handle?: string;
  readonly message?: string;
}
