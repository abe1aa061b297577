/**
 * At most `concurrency` sink-write calls in flight per sink target, per bridge replica. A target
 * that answers slowly (a rate-limited HTTP API, a busy database) then holds only its own slots, and
 * is never sent more parallel writes than it was declared able to take; other targets' groups of
 * the same batches go on. Waiters are served in arrival order.
 */
class TargetLimiter {
  readonly #concurrency: number;
  readonly #lanes = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.#concurrency = concurrency;
  }

  async run<T>(target: string, work: () => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(target);
    if (lane === undefined) {
      lane = { active: 0, waiting: [] };
      this.#lanes.set(target, lane);
    }
    if (lane.active >= this.#concurrency) {
      const current = lane;
      await new Promise<void>((resolve) => current.waiting.push(resolve));
    } else {
      lane.active++;
    }
    try {
      return await work();
    } finally {
      const next = lane.waiting.shift();
      // The slot passes straight to the next waiter; only when none waits is it given back.
      if (next !== undefined) next();
      else if (--lane.active === 0) this.#lanes.delete(target);
    }
  }

  /** Calls in flight for `target` (for tests and diagnostics). */
  active(target: string): number {
    return this.#lanes.get(target)?.active ?? 0;
  }
}

export { TargetLimiter };
