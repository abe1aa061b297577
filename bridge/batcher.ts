type BatcherOptions = {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
};

/**
 * Groups items into batches bounded by count, bytes and a time window measured from the first
 * item of the batch. An item larger than `maxBytes` travels alone rather than being dropped.
 */
class Batcher<T> {
  readonly #options: BatcherOptions;
  readonly #emit: (batch: T[]) => void;
  #items: T[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: BatcherOptions, emit: (batch: T[]) => void) {
    if (options.maxRecords < 1 || options.maxBytes < 1 || options.maxWaitMs < 0) {
      throw new Error('Batcher: maxRecords and maxBytes must be positive, maxWaitMs not negative');
    }
    this.#options = options;
    this.#emit = emit;
  }

  get size(): number {
    return this.#items.length;
  }

  add(item: T, bytes: number): void {
    if (this.#items.length > 0 && this.#bytes + bytes > this.#options.maxBytes) this.flush();
    this.#items.push(item);
    this.#bytes += bytes;
    if (this.#items.length >= this.#options.maxRecords || this.#bytes >= this.#options.maxBytes) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#options.maxWaitMs);
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return;
    const batch = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#emit(batch);
  }
}

export { Batcher };
export type { BatcherOptions };
