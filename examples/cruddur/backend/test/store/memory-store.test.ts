import { describe, expect, it } from 'vitest';
import { MemoryActivityStore, seedActivities } from '../../src/store/index.ts';
import { describeActivityStore } from './activity-store-contract.ts';

describeActivityStore('MemoryActivityStore', async () => new MemoryActivityStore());

describe('MemoryActivityStore seeded with the Cruddur cast', () => {
  it('lists the seed newest first, with posts dated in the past', async () => {
    const now = Date.now();
    const store = new MemoryActivityStore(seedActivities(now));

    const { activities } = await store.list({ limit: 10 });

    expect(activities.map((a) => a.handle)).toEqual(['andrewbrown', 'worf', 'garek']);
    expect(activities.every((a) => Date.parse(a.createdAt) < now)).toBe(true);
  });

  it('lists a new post above the seed', async () => {
    const store = new MemoryActivityStore(seedActivities());

    const created = await store.create({ handle: 'worf', message: 'Qapla!' });

    expect((await store.list({ limit: 1 })).activities).toEqual([created]);
  });
});
