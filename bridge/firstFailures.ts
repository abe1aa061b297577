const MAX_REMEMBERED = 100_000;

/**
 * When each retried event first failed, by stream sequence, for the `firstFailedAt` of its dead
 * letter. Bounded: under a long outage the oldest entries go first (the field is best effort).
 */
class FirstFailures {
  readonly #at = new Map<number, Date>();

  /** Keeps the time of the first failure only: a later one does not move it. */
  remember(seq: number): void {
    if (this.#at.has(seq)) return;
    if (this.#at.size >= MAX_REMEMBERED) this.#at.delete(this.#at.keys().next().value as number);
    this.#at.set(seq, new Date());
  }

  get(seq: number): Date | undefined {
    return this.#at.get(seq);
  }

  /** The event was settled for good (acknowledged or dead-lettered). */
  forget(seq: number): void {
    this.#at.delete(seq);
  }
}

export { FirstFailures };
