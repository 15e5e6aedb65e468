import { activityIds, type ActivityIds } from './activity-id.js';

/** One post on the home feed, as stored and as the API returns it. */
export interface Activity {
  /** Time-ordered id: a newer activity has a greater id. */
  readonly id: string;
  readonly handle: string;
  readonly message: string;
  /** ISO-8601 timestamp, e.g. `2025-01-31T12:00:00.000Z`. */
  readonly createdAt: string;
}

/** What a client supplies to post an activity; validation and trimming happen before the store. */
export interface NewActivity {
  readonly handle: string;
  readonly message: string;
}

export interface ListOptions {
  /** Largest number of activities to return. */
  readonly limit: number;
  /** Only activities with an id below this one (the cursor a previous page returned). */
  readonly before?: string;
}

export interface ActivityPage {
  /** Newest first. */
  readonly activities: Activity[];
  /** Pass as `before` to get the next page; `null` when no older activity remains. */
  readonly nextBefore: string | null;
}

export interface ActivityStore {
  list(options: ListOptions): Promise<ActivityPage>;
  /** `undefined` when no activity has this id. */
  get(id: string): Promise<Activity | undefined>;
  create(input: NewActivity): Promise<Activity>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Gives a new activity its id and timestamp; every store creates activities through this. */
export function newActivity(
  input: NewActivity,
  at: number = Date.now(),
  ids: ActivityIds = activityIds,
): Activity {
  return {
    id: ids.next(at),
    handle: input.handle,
    message: input.message,
    createdAt: new Date(at).toISOString(),
  };
}
