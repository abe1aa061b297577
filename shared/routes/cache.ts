type Entry<V> = { readonly value: V | undefined; readonly expiresAt: number };

type TtlCacheOptions = {
  readonly ttlMs: number;
  /** How long an absent key is remembered. */
  readonly negativeTtlMs: number;
  readonly now?: () => number;
};

/**
 * A read-through cache with negative caching and single flight: concurrent misses for one key
 * share one load, and a key that does not exist is remembered briefly, so a flood of events for
 * an unknown route costs one query per `negativeTtlMs`, not one per event.
 */
class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #loading = new Map<string, Promise<V | undefined>>();
  readonly #options: TtlCacheOptions;
  readonly #now: () => number;

  constructor(options: TtlCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt > this.#now()) return entry.value;
    const pending = this.#loading.get(key);
    if (pending !== undefined) return pending;
    const loading = load()
      .then((value) => {
        const ttl = value === undefined ? this.#options.negativeTtlMs : this.#options.ttlMs;
        this.#entries.set(key, { value, expiresAt: this.#now() + ttl });
        return value;
      })
      .finally(() => this.#loading.delete(key));
    this.#loading.set(key, loading);
    return loading;
  }

  clear(): void {
    this.#entries.clear();
  }
}

export { TtlCache };
export type { TtlCacheOptions };
