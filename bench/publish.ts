import type { NatsConnection } from '@nats-io/nats-core';
import type { RouteRecord } from '../shared/routes/index.ts';
import { createEventEncoder } from './events.ts';
import { createJetStreamPublisher, msgIdHeaders } from './jetStreamPublisher.ts';

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

// A loaded 2-core machine can hold an ack back for seconds; fail only when the stream stays
// silent this long, not over a delay the verification at the end would not even see.
const ACK_SILENCE_MS = 30_000;

// Enough acks outstanding to keep nats-server busy (the stage notes measured 59k/s at 1000).
const WINDOW = 1000;

/**
 * Publishes `count` events as fast as JetStream acknowledges them, through the same publisher and
 * ack window as the paced phase (jetStreamPublisher.ts), with Nats-Msg-Id = event id.
 */
async function publishBacklog(nc: NatsConnection, route: RouteRecord, count: number, keepPayloads = false): Promise<PublishResult> {
  const encoder = createEventEncoder(route);
  const publisher = createJetStreamPublisher(nc, route.subject, ACK_SILENCE_MS);
  const payloads: Buffer[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const { event, payload } = encoder.next();
      if (keepPayloads) payloads.push(payload);
      publisher.publish(payload, msgIdHeaders(event.id));
      if (publisher.outstanding >= WINDOW) await publisher.waitBelow(WINDOW / 2);
    }
    await publisher.waitBelow(0);
  } finally {
    publisher.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const { duplicates, firstSeq, lastSeq } = publisher.tally;
  return { published: count, duplicates, seconds, perSecond: count / seconds, payloads, firstSeq, lastSeq };
}

export { publishBacklog };
export type { PublishResult };
