import { describe, expect, it } from 'vitest';
import { ACTIVITY_ID_PATTERN, ActivityIds } from '../../src/store/index.ts';

describe('ActivityIds', () => {
  it('gives 26-character Crockford base32 ids', () => {
    expect(new ActivityIds().next()).toMatch(new RegExp(ACTIVITY_ID_PATTERN));
  });

  it('gives strictly increasing ids within one millisecond', () => {
    const ids = new ActivityIds();
    const batch = Array.from({ length: 1000 }, () => ids.next(1_700_000_000_000));

    expect(new Set(batch).size).toBe(1000);
    expect([...batch].sort()).toEqual(batch);
  });

  it('keeps increasing when the clock steps back', () => {
    const ids = new ActivityIds();
    const later = ids.next(1_700_000_005_000);

    expect(ids.next(1_700_000_000_000) > later).toBe(true);
  });

  it('orders ids by time across generators', () => {
    const earlier = new ActivityIds().next(1_700_000_000_000);
    const later = new ActivityIds().next(1_700_000_000_001);

    expect(earlier < later).toBe(true);
  });

  it('encodes the timestamp in the first ten characters', () => {
    // 0 ms is all zeros; the largest 48-bit time starts with 7, the highest first character a ULID allows.
    expect(new ActivityIds().next(0).slice(0, 10)).toBe('0000000000');
    expect(new ActivityIds().next(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });
});
