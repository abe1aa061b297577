/** The smallest latency told apart, in milliseconds; anything below counts as this. */
const FLOOR_MS = 0.1;
/** Each bucket is this much wider than the one before: a quantile is off by at most 4 %. */
const GROWTH = 1.04;
/** Up to an hour (0.1 ms × 1.04^446); longer ones count in the last bucket. */
const BUCKETS = 447;
const LOG_GROWTH = Math.log(GROWTH);

type LatencyQuantiles = { readonly count: number; readonly p50Ms: number | null; readonly p95Ms: number | null };

/**
 * Publish → commit latencies of one interval, for the replica's figures: a fixed log-scale
 * histogram (buckets 4 % apart from 0.1 ms to an hour) that `take` reads and empties. Why not the
 * samples themselves, sorted: at 20,000 events/s a 5-second interval is 100,000 samples to keep and
 * sort; this is one logarithm per commit and 447 counters whatever the rate, and a p95 within 4 %
 * is as exact as a chart needs. The OpenTelemetry histogram beside it is cumulative and has 14
 * buckets (a p95 from it could be off by half), so it cannot serve.
 */
class IntervalLatency {
  #counts = new Float64Array(BUCKETS);
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  record(ms: number): void {
    const index = ms <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH));
    this.#counts[index]!++;
    this.#count++;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The interval's count and quantiles (null when nothing was recorded), and a fresh interval. */
  take(): LatencyQuantiles {
    const taken = { count: this.#count, p50Ms: this.#quantile(0.5), p95Ms: this.#quantile(0.95) };
    this.#counts.fill(0);
    this.#count = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
    return taken;
  }

  #quantile(q: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index]!;
      if (seen < rank) continue;
      // The bucket's upper bound, kept inside what was really seen (one sample is exact).
      const bound = FLOOR_MS * GROWTH ** index;
      return Math.round(Math.min(Math.max(bound, this.#min), this.#max) * 10) / 10;
    }
    return Math.round(this.#max * 10) / 10;
  }
}

export { IntervalLatency };
export type { LatencyQuantiles };
