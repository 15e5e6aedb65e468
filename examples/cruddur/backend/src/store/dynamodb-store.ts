import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  newActivity,
  type Activity,
  type ActivityPage,
  type ActivityStore,
  type ListOptions,
  type NewActivity,
} from './activity-store.js';

// Every activity lives in one partition (pk = "ACTIVITY") with its time-ordered id as the sort key, so
// the home feed is a single Query in key order, newest first, with no scan and no index. The price is a
// hot partition: one partition serves at most ~3,000 reads and ~1,000 writes a second. That is far
// beyond a demo's traffic; a real feed would shard the partition key (e.g. by day) or fan out per user.
const PARTITION = 'ACTIVITY';

export interface DynamoDbActivityStoreOptions {
  /** Table with partition key `pk` (S) and sort key `sk` (S). */
  readonly tableName: string;
}

/**
 * Stores activities in DynamoDB. Region, endpoint and credentials come from the SDK's own chain
 * (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, the task role, ...).
 */
export class DynamoDbActivityStore implements ActivityStore {
  private readonly tableName: string;
  private readonly documents: DynamoDBDocumentClient;

  constructor({ tableName }: DynamoDbActivityStoreOptions) {
    this.tableName = tableName;
    this.documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  }

  async list({ limit, before }: ListOptions): Promise<ActivityPage> {
    const output = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues:
          before === undefined ? { ':pk': PARTITION } : { ':pk': PARTITION, ':before': before },
        ScanIndexForward: false,
        // One more than asked tells whether another page exists without a second request.
        Limit: limit + 1,
      }),
    );
    const items = (output.Items ?? []).map(toActivity);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    // LastEvaluatedKey with a short page means DynamoDB stopped at its 1 MB response cap.
    const more = items.length > limit || output.LastEvaluatedKey !== undefined;
    return { activities: page, nextBefore: more && last ? last.id : null };
  }

  async get(id: string): Promise<Activity | undefined> {
    const output = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PARTITION, sk: id } }),
    );
    return output.Item === undefined ? undefined : toActivity(output.Item);
  }

  async create(input: NewActivity): Promise<Activity> {
    const activity = newActivity(input);
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: PARTITION,
          sk: activity.id,
          handle: activity.handle,
          message: activity.message,
          createdAt: activity.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    return activity;
  }

  async close(): Promise<void> {
    this.documents.destroy();
  }
}

function toActivity(item: Record<string, unknown>): Activity {
  const { sk, handle, message, createdAt } = item;
  if (
    typeof sk !== 'string' ||
    typeof handle !== 'string' ||
    typeof message !== 'string' ||
    typeof createdAt !== 'string'
  ) {
    throw new Error(`Item ${JSON.stringify(sk)} in the activities table is not an activity`);
  }
  return { id: sk, handle, message, createdAt };
}
