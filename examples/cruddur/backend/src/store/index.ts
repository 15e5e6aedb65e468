import type { Settings } from '../settings.js';
import type { ActivityStore } from './activity-store.js';
import { MemoryActivityStore } from './memory-store.js';
import { seedActivities } from './seed.js';

export { ACTIVITY_ID_PATTERN, ActivityIds } from './activity-id.js';
export type { Activity, ActivityPage, ActivityStore, ListOptions, NewActivity } from './activity-store.js';
export type { DynamoDbActivityStoreOptions } from './dynamodb-store.js';
export { MemoryActivityStore } from './memory-store.js';
export { seedActivities } from './seed.js';

/**
 * DynamoDB when ACTIVITIES_TABLE is set; otherwise memory, seeded so the feed shows something.
 * The AWS SDK is loaded only for DynamoDB: a memory-store server starts faster and holds less memory.
 */
export async function createActivityStore(
  settings: Pick<Settings, 'activitiesTable'>,
): Promise<ActivityStore> {
  if (settings.activitiesTable === undefined) return new MemoryActivityStore(seedActivities());
  const { DynamoDbActivityStore } = await import('./dynamodb-store.js');
  return new DynamoDbActivityStore({ tableName: settings.activitiesTable });
}
