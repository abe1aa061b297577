import type { SinkWriteRecord, SinkWriteResult } from '../../sinks/index.ts';
import type { SinkIsolationConfig } from '../../config/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';

type Circuit = { failures: number; openUntil: number };

function failAll(records: readonly SinkWriteRecord[], message: string, retryAfterMs?: number): SinkWriteResult[] {
  const failure = new IngestError(Stage.sinkWrite, FailureReason.sinkUnavailable, message, { retryable: true, retryAfterMs }).toFailure();
  return records.map((record) => ({ id: record.id, ok: false, failure }));
}

/**
 * Per sink target: a deadline, so a slow target fails only its own records while the others'
 * results return, and a circuit breaker, so a target that keeps failing is not hammered (its
 * records are delayed at once, with the time left as Retry-After) while other routes flow.
 * State lives per container: each function instance learns about a broken target on its own.
 */
class TargetGuard {
  readonly #options: SinkIsolationConfig;
  readonly #now: () => number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: SinkIsolationConfig, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  /** The target's circuit now: `open` while its records are refused without a write. */
  state(target: string): 'open' | 'closed' {
    const circuit = this.#circuits.get(target);
    return circuit !== undefined && circuit.openUntil > this.#now() ? 'open' : 'closed';
  }

  /** `target` is the sink's identity (`postgres:metric_events`): the circuit's key and its name in messages. */
  async run(target: string, records: readonly SinkWriteRecord[], write: () => Promise<SinkWriteResult[]>): Promise<SinkWriteResult[]> {
    const circuit = this.#circuits.get(target) ?? { failures: 0, openUntil: 0 };
    this.#circuits.set(target, circuit);
    const now = this.#now();
    if (circuit.openUntil > now) {
      return failAll(records, `circuit open for ${target} after ${this.#options.failureThreshold} failed writes in a row`, circuit.openUntil - now);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<SinkWriteResult[]>((resolve) => {
      timer = setTimeout(() => resolve(failAll(records, `${target} did not answer within ${this.#options.deadlineMs} ms`)), this.#options.deadlineMs);
    });
    // A write that loses the race may still finish later; sinks are idempotent, so the retry is safe.
    const results = await Promise.race([write(), deadline]).finally(() => clearTimeout(timer));
    const allFailedRetryable = results.length > 0 && results.every((result) => !result.ok && result.failure.retryable);
    if (!allFailedRetryable) {
      circuit.failures = 0;
    } else if (++circuit.failures >= this.#options.failureThreshold) {
      circuit.openUntil = this.#now() + this.#options.openMs;
      // Half-open afterwards: one more failed write opens it again at once.
      circuit.failures = this.#options.failureThreshold - 1;
    }
    return results;
  }
}

export { TargetGuard };
