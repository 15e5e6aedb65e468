import { ActivityIds } from './activity-id.js';
import { newActivity, type Activity } from './activity-store.js';

const HOUR = 60 * 60 * 1000;

/** A few posts from the Cruddur cast, dated in the recent past so a fresh feed is not empty. */
export function seedActivities(now: number = Date.now()): Activity[] {
  // A generator of its own: the shared one would push these past timestamps up to the latest id it gave.
  const ids = new ActivityIds();
  return [
    newActivity(
      { handle: 'garek', message: 'My dear doctor, I am just a simple tailor.' },
      now - 72 * HOUR,
      ids,
    ),
    newActivity({ handle: 'worf', message: 'This post has no honor!' }, now - 26 * HOUR, ids),
    newActivity({ handle: 'andrewbrown', message: 'Cloud is fun!' }, now - 2 * HOUR, ids),
  ];
}
