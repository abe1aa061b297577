import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { RouteRecord } from '../shared/routes/index.ts';
import { createEventEncoder } from './events.ts';

type PublishResult = {
  readonly published: number;
  /** Publishes JetStream dropped as repeats (same Nats-Msg-Id); must be 0. */
  readonly duplicates: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Encoded payloads, kept only when asked for (the decode ceiling reuses them). */
  readonly payloads: Buffer[];
  readonly firstSeq: number;
  readonly lastSeq: number;
};

// A loaded 2-core machine can hold an ack back for seconds; the client default (5 s) would fail
// the run over a delay the verification at the end would not even see.
const PUBLISH_TIMEOUT_MS = 30_000;

// Enough acks outstanding to keep nats-server busy (the stage notes measured 59k/s at 1000).
const WINDOW = 1000;

class AckWindow {
  #outstanding = 0;
  #failure: unknown;
  #failed = false;
  #wake: (() => void) | undefined;
  duplicates = 0;
  firstSeq = Number.POSITIVE_INFINITY;
  lastSeq = 0;

  get size(): number {
    return this.#outstanding;
  }

  add(ack: Promise<PubAck>): void {
    this.#outstanding++;
    ack.then(
      (result) => {
        if (result.duplicate) this.duplicates++;
        this.firstSeq = Math.min(this.firstSeq, result.seq);
        this.lastSeq = Math.max(this.lastSeq, result.seq);
        this.#settle();
      },
      (error: unknown) => {
        if (!this.#failed) [this.#failed, this.#failure] = [true, error];
        this.#settle();
      },
    );
  }

  #settle(): void {
    this.#outstanding--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Waits until at most `limit` acks are outstanding; a failed publish rejects here. A counter and
   * one waiter, not Promise.race over the pending set, which subscribes to every pending ack again
   * on each call.
   */
  async drainTo(limit: number): Promise<void> {
    while (this.#outstanding > limit && !this.#failed) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    if (this.#failed) throw this.#failure;
  }
}

/** Publishes `count` events as fast as JetStream acknowledges them. */
async function publishBacklog(js: JetStreamClient, route: RouteRecord, count: number, keepPayloads = false): Promise<PublishResult> {
  const encoder = createEventEncoder(route);
  const window = new AckWindow();
  const payloads: Buffer[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { event, payload } = encoder.next();
    if (keepPayloads) payloads.push(payload);
    window.add(js.publish(route.subject, payload, { msgID: event.id, timeout: PUBLISH_TIMEOUT_MS }));
    if (window.size >= WINDOW) await window.drainTo(WINDOW / 2);
  }
  await window.drainTo(0);
  const seconds = (performance.now() - started) / 1000;
  return {
    published: count,
    duplicates: window.duplicates,
    seconds,
    perSecond: count / seconds,
    payloads,
    firstSeq: window.firstSeq,
    lastSeq: window.lastSeq,
  };
}

export { publishBacklog };
export type { PublishResult };
