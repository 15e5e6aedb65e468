/** Which fleet a request goes to while a release shifts traffic. */
export type Cohort = 'blue' | 'green';

/** Percentages are kept in hundredths, so that 0.1 % (the config's smallest step) is exact. */
const SCALE = 10_000;

/**
 * Where the `n`th request (counting from 0) of a split goes, when `greenPercent` of the requests
 * go to green: green exactly when `floor((n + 1) * p)` passes an integer, so that every prefix of
 * the sequence holds the share rounded down (10 %: requests 9, 19, 29 ...), with no randomness and
 * no run of green requests longer than the share asks for. The ALB's weighted forward is random;
 * a counter gives the same share and lets a test predict each request.
 */
export function cohortOf(n: number, greenPercent: number): Cohort {
  const share = Math.round(Math.min(100, Math.max(0, greenPercent)) * 100);
  return Math.floor(((n + 1) * share) / SCALE) > Math.floor((n * share) / SCALE) ? 'green' : 'blue';
}

/** A weighted split between blue and green: the counter of `cohortOf`, restarted at each new share. */
export class TrafficSplit {
  private sent = 0;
  private percent: number;

  constructor(greenPercent = 0) {
    this.percent = greenPercent;
  }

  get greenPercent(): number {
    return this.percent;
  }

  /** A new share counts from zero again, so that the first requests after a step follow it exactly. */
  set greenPercent(percent: number) {
    this.percent = percent;
    this.sent = 0;
  }

  next(): Cohort {
    const cohort = cohortOf(this.sent, this.percent);
    this.sent += 1;
    return cohort;
  }
}
