import { describe, expect, it } from 'vitest';
import { shiftSteps } from '../../src/local/release/plan.ts';
import { cohortOf, TrafficSplit } from '../../src/local/release/traffic-split.ts';

const greens = (split: TrafficSplit, n: number) =>
  Array.from({ length: n }, () => split.next()).filter((c) => c === 'green').length;

describe('traffic split: a deterministic share of requests goes to green', () => {
  it('sends exactly the share of every 100 requests, spread out rather than in a run', () => {
    const split = new TrafficSplit(10);
    const seq = Array.from({ length: 100 }, () => split.next());
    expect(seq.filter((c) => c === 'green')).toHaveLength(10);
    // Requests 9, 19, ... 99: never two greens in a row at 10 %.
    expect(seq.flatMap((c, i) => (c === 'green' ? [i] : []))).toEqual([
      9, 19, 29, 39, 49, 59, 69, 79, 89, 99,
    ]);
  });

  it.each([0, 0.1, 12.5, 20, 33.3, 50, 99.9, 100])('holds %s %% within one request over any prefix', (p) => {
    let green = 0;
    for (let n = 0; n < 5_000; n++) {
      if (cohortOf(n, p) === 'green') green += 1;
      expect(Math.abs(green - ((n + 1) * p) / 100)).toBeLessThan(1);
    }
  });

  it('sends nothing to green at 0 % and everything at 100 %', () => {
    expect(greens(new TrafficSplit(0), 1_000)).toBe(0);
    expect(greens(new TrafficSplit(100), 1_000)).toBe(1_000);
  });

  it('counts from zero again when the share changes', () => {
    const split = new TrafficSplit(10);
    greens(split, 5);
    split.greenPercent = 50;
    expect(Array.from({ length: 4 }, () => split.next())).toEqual(['blue', 'green', 'blue', 'green']);
  });
});

describe('shift steps per strategy', () => {
  it('blue-green moves everything at once', () => expect(shiftSteps('blue-green', 100)).toEqual([100]));
  it('canary moves the step, then the rest', () => expect(shiftSteps('canary', 10)).toEqual([10, 100]));
  it('linear adds the step each time and ends at 100', () => {
    expect(shiftSteps('linear', 20)).toEqual([20, 40, 60, 80, 100]);
    expect(shiftSteps('linear', 33.3)).toEqual([33.3, 66.6, 99.9, 100]);
    expect(shiftSteps('linear', 100)).toEqual([100]);
  });
});
