import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../shared/logging/index.ts';

type FlowOptions = {
  /** Batches run at once; the others wait in the queue, in arrival order. */
  readonly maxInFlight: number;
  readonly run: (batch: JsMsg[]) => Promise<void>;
  /** The nak delay of the messages of a batch whose run threw. */
  readonly returnDelayMs: number;
  /** Told when a batch is done with (settled, or returned): its messages are no longer held. */
  readonly released: (count: number) => void;
  readonly logger: Logger;
};

/**
 * Batches from the batcher to their runs: a queue, at most `maxInFlight` runs at once, the next
 * batch started as soon as one ends, and a drain that waits for all of them, up to a deadline.
 */
class BatchFlow {
  readonly #options: FlowOptions;
  readonly #queue: JsMsg[][] = [];
  #inFlight = 0;
  #idle: (() => void) | undefined;

  constructor(options: FlowOptions) {
    this.#options = options;
  }

  push(batch: JsMsg[]): void {
    this.#queue.push(batch);
    this.#pump();
  }

  /**
   * Resolves once nothing is queued or running, or after `timeoutMs`; then the queued batches are
   * returned at once and the running ones are left to be redelivered.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0 && this.#queue.length === 0) return;
    const drained = new Promise<void>((resolve) => {
      this.#idle = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') this.#handBackQueued();
  }

  #handBackQueued(): void {
    // Hand queued work back at once so another replica takes it without waiting for ack_wait.
    for (const batch of this.#queue.splice(0)) for (const msg of batch) msg.nak();
    this.#options.logger.warn('drain timed out; in-flight batches will be redelivered', { inFlight: this.#inFlight });
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) this.#start(this.#queue.shift()!);
  }

  #start(batch: JsMsg[]): void {
    this.#inFlight++;
    this.#options
      .run(batch)
      .catch((error: unknown) => {
        // Only a bug gets here; return the messages so nothing waits for ack_wait.
        this.#options.logger.error('batch failed unexpectedly; returning messages', { error, records: batch.length });
        for (const msg of batch) msg.nak(this.#options.returnDelayMs);
      })
      .finally(() => this.#ended(batch));
  }

  #ended(batch: JsMsg[]): void {
    this.#inFlight--;
    this.#options.released(batch.length);
    this.#pump();
    if (this.#inFlight === 0 && this.#queue.length === 0) this.#idle?.();
  }
}

export { BatchFlow };
export type { FlowOptions };
