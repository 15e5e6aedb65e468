import { describe, expect, it } from 'vitest';
import {
  firedAlarms,
  percentile,
  ResponseLog,
  windowCounts,
  type AlarmSettings,
  type ResponseSample,
} from '../../src/local/release/alarms.ts';

const SETTINGS: AlarmSettings = { errorRatePercent: 5, p99Ms: 200, minRequests: 20, windowMs: 10_000 };

/** `n` samples one ms apart from `at`, every `errorEvery`th a 500, each taking `ms`. */
function samples(n: number, opts: { at?: number; errorEvery?: number; ms?: number } = {}): ResponseSample[] {
  return Array.from({ length: n }, (_, i) => ({
    at: (opts.at ?? 0) + i,
    status: opts.errorEvery && (i + 1) % opts.errorEvery === 0 ? 500 : 200,
    ms: opts.ms ?? 5,
  }));
}

describe('percentile', () => {
  it('is the nearest rank, as CloudWatch computes p99', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBeUndefined();
  });

  it('is the slowest of fewer than 100 values', () => {
    expect(percentile([1, 2, 3, 400], 99)).toBe(400);
  });
});

describe('the alarm window', () => {
  it('counts only the samples inside the window', () => {
    const all = [...samples(50, { at: 0, errorEvery: 1 }), ...samples(50, { at: 20_000 })];
    const counts = windowCounts(all, 20_100, SETTINGS.windowMs);
    expect(counts).toEqual({ requests: 50, errors: 0, errorRatePercent: 0, p99Ms: 5 });
  });

  it('takes 502 and 504 from the edge as 5xx, and 4xx as no error', () => {
    const mixed: ResponseSample[] = [502, 504, 404, 200].map((status, i) => ({ at: i, status, ms: 1 }));
    expect(windowCounts(mixed, 10, SETTINGS.windowMs)).toMatchObject({
      requests: 4,
      errors: 2,
      errorRatePercent: 50,
    });
  });
});

describe('firedAlarms', () => {
  it('fires on a 5xx rate over the threshold', () => {
    const counts = windowCounts(samples(100, { errorEvery: 10 }), 100, SETTINGS.windowMs);
    expect(firedAlarms(counts, SETTINGS)).toEqual([
      { alarm: '5xx rate', value: 10, threshold: 5, unit: '%' },
    ]);
  });

  it('does not fire at exactly the threshold', () => {
    const counts = windowCounts(samples(100, { errorEvery: 20 }), 100, SETTINGS.windowMs);
    expect(counts.errorRatePercent).toBe(5);
    expect(firedAlarms(counts, SETTINGS)).toEqual([]);
  });

  it('fires on a p99 over the threshold', () => {
    const counts = windowCounts(samples(30, { ms: 250 }), 30, SETTINGS.windowMs);
    expect(firedAlarms(counts, SETTINGS)).toEqual([
      { alarm: 'p99 latency', value: 250, threshold: 200, unit: 'ms' },
    ]);
  });

  it('stays quiet below the minimum request count, whatever the numbers', () => {
    const counts = windowCounts(samples(19, { errorEvery: 1, ms: 5_000 }), 19, SETTINGS.windowMs);
    expect(counts.errorRatePercent).toBe(100);
    expect(firedAlarms(counts, SETTINGS)).toEqual([]);
  });
});

describe('ResponseLog', () => {
  it('keeps totals for the whole release and drops samples older than the window', () => {
    const log = new ResponseLog(1_000);
    for (const s of samples(10, { at: 0, errorEvery: 2 })) log.record(s);
    for (const s of samples(10, { at: 5_000 })) log.record(s);
    expect(log.window(5_100)).toMatchObject({ requests: 10, errors: 0 });
    expect([log.requests, log.errors]).toEqual([20, 5]);
  });

  it('holds about one window of samples however long the release runs, read or not', () => {
    const log = new ResponseLog(1_000);
    // 100 answers a second for 10 minutes, and the window never read (as blue's is not).
    for (let i = 0; i < 60_000; i++) log.record({ at: i * 10, status: 200, ms: 1 });
    expect(log.requests).toBe(60_000);
    expect(log.held).toBeLessThanOrEqual(100 + 1024);
    expect(log.window(599_995)).toMatchObject({ requests: 100, errors: 0 });
  });
});
