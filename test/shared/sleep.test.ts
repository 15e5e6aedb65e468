import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/shared/net.ts';

describe('sleep', () => {
  it('leaves no abort listener behind once its time is up, however many polls share the signal', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 12; i++) await sleep(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the signal aborts, and does not wait when it already has', async () => {
    const stop = new AbortController();
    const waiting = sleep(60_000, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    await expect(sleep(60_000, stop.signal)).resolves.toBeUndefined();
  });
});
