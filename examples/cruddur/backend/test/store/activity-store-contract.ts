import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Activity, ActivityStore } from '../../src/store/index.ts';

/**
 * What every ActivityStore must do, run against each implementation. `open` gives a fresh, empty
 * store for each test.
 */
export function describeActivityStore(name: string, open: () => Promise<ActivityStore>): void {
  describe(`${name}: the ActivityStore contract`, () => {
    let store: ActivityStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    async function createMany(count: number): Promise<Activity[]> {
      const created: Activity[] = [];
      for (let i = 0; i < count; i++)
        created.push(await store.create({ handle: `user_${i}`, message: `post ${i}` }));
      return created;
    }

    it('lists nothing, with no cursor, when empty', async () => {
      expect(await store.list({ limit: 20 })).toEqual({ activities: [], nextBefore: null });
    });

    it('creates an activity with an id and timestamp, and gets it back by id', async () => {
      const before = Date.now();
      const created = await store.create({ handle: 'worf', message: 'Today is a good day to die' });

      expect(created).toEqual({
        id: expect.any(String),
        handle: 'worf',
        message: 'Today is a good day to die',
        createdAt: expect.any(String),
      });
      expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(before);
      expect(await store.get(created.id)).toEqual(created);
    });

    it('keeps unicode and line breaks in messages intact', async () => {
      const created = await store.create({ handle: 'garek', message: 'Plain, simple 🧵\nGarak — 勝利' });

      expect((await store.get(created.id))?.message).toBe('Plain, simple 🧵\nGarak — 勝利');
    });

    it('gets undefined for an id it never issued', async () => {
      await createMany(1);

      expect(await store.get('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeUndefined();
    });

    it('lists newest first', async () => {
      const created = await createMany(3);

      expect((await store.list({ limit: 10 })).activities).toEqual([...created].reverse());
    });

    it('gives each activity an id greater than the previous one', async () => {
      const ids = (await createMany(5)).map((a) => a.id);

      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(5);
    });

    it('pages through everything with limit and nextBefore, each activity exactly once', async () => {
      const created = await createMany(7);
      const seen: Activity[] = [];
      let before: string | undefined;
      for (let pages = 1; ; pages++) {
        const page = await store.list({ limit: 3, before });
        seen.push(...page.activities);
        if (page.nextBefore === null) {
          expect(pages).toBe(3);
          break;
        }
        expect(page.nextBefore).toBe(page.activities.at(-1)?.id);
        before = page.nextBefore;
      }

      expect(seen).toEqual([...created].reverse());
    });

    it('answers a null cursor when the page takes exactly what remains', async () => {
      await createMany(3);

      const page = await store.list({ limit: 3 });

      expect(page.activities).toHaveLength(3);
      expect(page.nextBefore).toBeNull();
    });

    it('lists only activities older than `before`', async () => {
      const [oldest, middle, newest] = await createMany(3);

      expect((await store.list({ limit: 10, before: newest?.id })).activities).toEqual([middle, oldest]);
      expect((await store.list({ limit: 10, before: oldest?.id })).activities).toEqual([]);
    });

    it('treats an unknown `before` as a position in time, not an error', async () => {
      const created = await createMany(2);

      expect((await store.list({ limit: 10, before: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' })).activities).toEqual(
        [...created].reverse(),
      );
    });
  });
}
