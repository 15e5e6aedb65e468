import type { Settings } from '../settings.js';
import type { ActivityStore } from './activity-store.js';
import { DynamoDbActivityStore } from './dynamodb-store.js';
import { MemoryActivityStore } from './memory-store.js';
import { seedActivities } from './seed.js';

export { ACTIVITY_ID_PATTERN, ActivityIds } from './activity-id.js';
export type { Activity, ActivityPage, ActivityStore, ListOptions, NewActivity } from './activity-store.js';
export { DynamoDbActivityStore, type DynamoDbActivityStoreOptions } from './dynamodb-store.js';
export { MemoryActivityStore } from './memory-store.js';
export { seedActivities } from './seed.js';

/** DynamoDB when ACTIVITIES_TABLE is set; otherwise memory, seeded so the feed shows something. */
export function createActivityStore(settings: Pick<Settings, 'activitiesTable'>): ActivityStore {
  return settings.activitiesTable === undefined
    ? new MemoryActivityStore(seedActivities())
    : new DynamoDbActivityStore({ tableName: settings.activitiesTable });
}
