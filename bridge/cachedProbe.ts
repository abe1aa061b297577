/**
 * A probe asked at most once per `ttlMs`: its answer (or its failure) is kept that long, and calls
 * while one is under way wait for it. Scrapes and readiness checks come as often as an operator's
 * scraper likes; the NATS and function round trips behind them stay a few per minute.
 */
class CachedProbe<T> {
  readonly #probe: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #pending: Promise<T> | undefined;
  #settledAt = Number.NEGATIVE_INFINITY;

  constructor(probe: () => Promise<T>, ttlMs: number, now: () => number = Date.now) {
    this.#probe = probe;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get(): Promise<T> {
    // While a probe is under way #settledAt is +Infinity, so the difference is never above the TTL.
    if (this.#pending !== undefined && this.#now() - this.#settledAt < this.#ttlMs) return this.#pending;
    this.#settledAt = Number.POSITIVE_INFINITY;
    const pending = this.#probe();
    this.#pending = pending;
    const settled = (): void => {
      if (this.#pending === pending) this.#settledAt = this.#now();
    };
    pending.then(settled, settled);
    return pending;
  }
}

export { CachedProbe };
