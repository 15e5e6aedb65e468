import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { DynamoDbActivityStore } from '../../src/store/dynamodb-store.ts';
import { freePort } from '../free-port.ts';
import { testSettings } from '../helpers.ts';
import { describeActivityStore } from './activity-store-contract.ts';

// A real DynamoDB API, served by moto on a free port for this file only.
let moto: ChildProcess | undefined;
let admin: DynamoDBClient;

async function startMoto(): Promise<string> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  moto = child;
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = new Error(`cannot start moto_server (is it on PATH?): ${error.message}`);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (failure) throw failure;
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within 30 s`);
    try {
      await fetch(endpoint);
      return endpoint;
    } catch {
      await sleep(100);
    }
  }
}

beforeAll(async () => {
  const endpoint = await startMoto();
  // Fake credentials and the emulator's endpoint, for this file's SDK clients only.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  admin = new DynamoDBClient({});
});

afterAll(async () => {
  admin?.destroy();
  vi.unstubAllEnvs();
  if (moto && moto.exitCode === null) {
    const exited = once(moto, 'exit');
    moto.kill('SIGTERM');
    await exited;
  }
});

/** A fresh table with the key schema the infrastructure creates: pk (S) + sk (S). */
async function createTable(): Promise<string> {
  const name = `activities-${randomUUID()}`;
  await admin.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

async function rawItem(table: string, id: string) {
  const output = await admin.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: 'ACTIVITY' }, sk: { S: id } } }),
  );
  return output.Item;
}

describeActivityStore(
  'DynamoDbActivityStore',
  async () => new DynamoDbActivityStore({ tableName: await createTable() }),
);

describe('DynamoDbActivityStore table layout', () => {
  it('stores an activity as pk "ACTIVITY", sk = its id, plus its attributes', async () => {
    const table = await createTable();
    const store = new DynamoDbActivityStore({ tableName: table });

    const created = await store.create({ handle: 'worf', message: 'Qapla!' });
    await store.close();

    expect(await rawItem(table, created.id)).toEqual({
      pk: { S: 'ACTIVITY' },
      sk: { S: created.id },
      handle: { S: 'worf' },
      message: { S: 'Qapla!' },
      createdAt: { S: created.createdAt },
    });
  });
});

describe('the app with ACTIVITIES_TABLE set', () => {
  it('serves activities from the DynamoDB table', async () => {
    const table = await createTable();
    const app = buildApp(testSettings({ ACTIVITIES_TABLE: table }));

    const posted = await app.inject({
      method: 'POST',
      url: '/api/activities',
      payload: { handle: 'andrewbrown', message: '  Cloud is fun!  ' },
    });
    const created = posted.json();
    const feed = await app.inject({ method: 'GET', url: '/api/activities/home' });
    const fetched = await app.inject({ method: 'GET', url: `/api/activities/${created.id}` });
    const unknown = await app.inject({ method: 'GET', url: '/api/activities/01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    await app.close();

    expect(posted.statusCode).toBe(201);
    expect(created.message).toBe('Cloud is fun!');
    expect(feed.json()).toEqual({ activities: [created], nextBefore: null });
    expect(fetched.json()).toEqual(created);
    expect(unknown.statusCode).toBe(404);
    expect(await rawItem(table, created.id)).toMatchObject({ message: { S: 'Cloud is fun!' } });
  });

  it('answers a plain 500 when the table is missing, without naming it', async () => {
    const app = buildApp(testSettings({ ACTIVITIES_TABLE: 'no-such-table' }));

    const response = await app.inject({ method: 'GET', url: '/api/activities/home' });
    await app.close();

    expect(response.statusCode).toBe(500);
    expect(response.json().message).toBe('Something went wrong on our side; please try again later');
    expect(response.body).not.toContain('no-such-table');
  });
});
