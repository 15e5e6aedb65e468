/** One answer the edge sent on a production route: when, with which status, after how long. */
export interface ResponseSample {
  /** Milliseconds on a monotonic clock. */
  readonly at: number;
  readonly status: number;
  /** From the request leaving the edge to the target's response headers (the ALB's TargetResponseTime). */
  readonly ms: number;
}

export interface AlarmSettings {
  /** 5xx answers as a % of requests that fires. */
  readonly errorRatePercent: number;
  /** p99 response time in ms that fires. */
  readonly p99Ms: number;
  /**
   * Requests the window must hold before either alarm can fire: one 500 out of the first two
   * requests is 50 %, and says nothing yet.
   */
  readonly minRequests: number;
  /** How far back the window reaches, like a CloudWatch alarm's period. */
  readonly windowMs: number;
}

export interface WindowCounts {
  readonly requests: number;
  /** Answers with a 5xx status: the target's own, and the edge's 502/504 when it failed to answer. */
  readonly errors: number;
  readonly errorRatePercent: number;
  /** Undefined without requests. */
  readonly p99Ms: number | undefined;
}

export interface FiredAlarm {
  readonly alarm: '5xx rate' | 'p99 latency';
  readonly value: number;
  readonly threshold: number;
  readonly unit: '%' | 'ms';
}

/** The nearest-rank percentile (CloudWatch's pNN) of `values`; undefined for none. */
export function percentile(values: readonly number[] | Float64Array, p: number): number | undefined {
  if (values.length === 0) return undefined;
  // A typed array sorts numerically and in place, without boxing: the window can hold 100,000s.
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Requests, 5xx and p99 of the samples in the window that ends at `now`. */
export function windowCounts(
  samples: readonly ResponseSample[],
  now: number,
  windowMs: number,
): WindowCounts {
  const inWindow = samples.filter((s) => s.at > now - windowMs && s.at <= now);
  const errors = inWindow.filter((s) => s.status >= 500 && s.status <= 599).length;
  return {
    requests: inWindow.length,
    errors,
    errorRatePercent: inWindow.length === 0 ? 0 : (errors * 100) / inWindow.length,
    p99Ms: percentile(
      inWindow.map((s) => s.ms),
      99,
    ),
  };
}

/** The alarms the counts set off: a threshold crossed (strictly) with at least `minRequests` requests. */
export function firedAlarms(counts: WindowCounts, settings: AlarmSettings): FiredAlarm[] {
  if (counts.requests < settings.minRequests) return [];
  const fired: FiredAlarm[] = [];
  if (counts.errorRatePercent > settings.errorRatePercent)
    fired.push({
      alarm: '5xx rate',
      value: counts.errorRatePercent,
      threshold: settings.errorRatePercent,
      unit: '%',
    });
  if (counts.p99Ms !== undefined && counts.p99Ms > settings.p99Ms)
    fired.push({ alarm: 'p99 latency', value: counts.p99Ms, threshold: settings.p99Ms, unit: 'ms' });
  return fired;
}

/**
 * The samples of one cohort during a release: kept for the alarm window (older ones are dropped as
 * new ones come, so a long bake under load holds one window, whether or not anyone reads it) and
 * totalled for the whole release, for the report.
 */
export class ResponseLog {
  private samples: ResponseSample[] = [];
  /** The first sample still in the window; those before it are dropped in batches. */
  private head = 0;
  requests = 0;
  errors = 0;

  constructor(private readonly windowMs: number) {}

  record(sample: ResponseSample): void {
    this.samples.push(sample);
    this.requests += 1;
    if (sample.status >= 500 && sample.status <= 599) this.errors += 1;
    const from = sample.at - this.windowMs;
    while (this.samples[this.head]!.at <= from) this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }

  window(now: number): WindowCounts {
    return windowCounts(this.samples.slice(this.head), now, this.windowMs);
  }

  /** Samples held now: one window's worth at most, and a batch not yet dropped. */
  get held(): number {
    return this.samples.length;
  }
}
