import { setTimeout as sleep } from 'node:timers/promises';
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
  readonly #pending = new Set<Promise<void>>();
  duplicates = 0;
  firstSeq = Number.POSITIVE_INFINITY;
  lastSeq = 0;

  get size(): number {
    return this.#pending.size;
  }

  add(ack: Promise<PubAck>): void {
    const tracked: Promise<void> = ack.then((result) => {
      this.#pending.delete(tracked);
      if (result.duplicate) this.duplicates++;
      this.firstSeq = Math.min(this.firstSeq, result.seq);
      this.lastSeq = Math.max(this.lastSeq, result.seq);
    });
    this.#pending.add(tracked);
  }

  /** Waits until at most `limit` acks are outstanding; a failed publish rejects here. */
  async drainTo(limit: number): Promise<void> {
    while (this.#pending.size > limit) await Promise.race(this.#pending);
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

type PacedResult = {
  readonly published: number;
  readonly duplicates: number;
  readonly seconds: number;
  readonly achievedPerSecond: number;
  /** Wall-clock ms when the first event was stamped; rows older than this are warm-up. */
  readonly startedAtMs: number;
  /** Ticks where the publisher could not keep up (acks backed up past the window). */
  readonly lateTicks: number;
};

const TICK_MS = 5;

/**
 * Publishes at `rate` events/s for `seconds`: every tick sends what is due by then, so a slow
 * tick is caught up rather than lost. Each event's `time` is stamped when it is sent, which is
 * what publish → commit latency is measured from.
 */
async function publishPaced(js: JetStreamClient, route: RouteRecord, rate: number, seconds: number): Promise<PacedResult> {
  const encoder = createEventEncoder(route);
  const window = new AckWindow();
  const total = Math.round(rate * seconds);
  const startedAtMs = Date.now();
  const started = performance.now();
  let sent = 0;
  let lateTicks = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; sent < due; sent++) {
      const { event, payload } = encoder.next();
      window.add(js.publish(route.subject, payload, { msgID: event.id, timeout: PUBLISH_TIMEOUT_MS }));
    }
    if (window.size > WINDOW * 5) {
      lateTicks++;
      await window.drainTo(WINDOW);
    }
    await sleep(TICK_MS);
  }
  await window.drainTo(0);
  const elapsed = (performance.now() - started) / 1000;
  return { published: total, duplicates: window.duplicates, seconds: elapsed, achievedPerSecond: total / elapsed, startedAtMs, lateTicks };
}

export { publishBacklog, publishPaced };
export type { PacedResult, PublishResult };
