import type { Tracer } from '@opentelemetry/api';
import type { CountingInstrument } from './tally.ts';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConfig } from '../shared/config/index.ts';
import { buildDeadLetter, type DeadLetterWriter, letterId } from '../shared/deadletters/index.ts';
import { UNKNOWN_ROUTE } from '../shared/telemetry/index.ts';
import { FailureReason, type RecordFailure, Stage } from '../shared/failures/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { advisoryTopology, headersToMap } from '../shared/nats/index.ts';
import type { TraceFields } from '../shared/telemetry/index.ts';
import { inDeadLetterSpan } from './deadLetterSpan.ts';

type MaxDeliveriesAdvisory = {
  readonly stream?: unknown;
  readonly consumer?: unknown;
  readonly stream_seq?: unknown;
  readonly deliveries?: unknown;
};

type MaxDeliveriesWatcher = {
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * JetStream has no dead-letter stream: a message that runs out of deliveries (a bridge kept
 * crashing or timing out on it) just stops being delivered and stays in the stream. This turns
 * each max-deliveries advisory into a dead letter, so such a message is not lost silently.
 */
function createMaxDeliveriesWatcher(deps: {
  nats: NatsConfig;
  js: JetStreamClient;
  jsm: JetStreamManager;
  deadLetters: DeadLetterWriter;
  logger: Logger;
  /** The dead-lettered counter (metrics.ts); these letters have no route (the route is not looked up here). */
  deadLettered?: CountingInstrument;
  /**
   * The durable consumer on the advisory stream it reads. Every replica shares the default one, so
   * each advisory is handled once; a redelivered advisory (a replica that died before its ack) is
   * handled again, which the letter's message id absorbs. Tests give a second watcher a consumer of
   * its own to have two really write the same letters.
   */
  advisoryConsumer?: string;
  /** Set when tracing is on: each letter gets its span, a child of the original's own trace context. */
  tracer?: Tracer;
}): MaxDeliveriesWatcher {
  const { nats, js, jsm, deadLetters, logger } = deps;
  const topology = advisoryTopology(nats);
  const advisoryConsumer = deps.advisoryConsumer ?? topology.consumer;
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;

  async function deadLetterFrom(advisoryMsg: JsMsg): Promise<void> {
    const advisory = JSON.parse(Buffer.from(advisoryMsg.data).toString('utf8')) as MaxDeliveriesAdvisory;
    const seq = Number(advisory.stream_seq);
    if (advisory.stream !== nats.ingest.name || advisory.consumer !== nats.consumer || !Number.isSafeInteger(seq)) return;
    const stored = await jsm.streams.getMessage(nats.ingest.name, { seq }).catch(() => null);
    if (stored === null) {
      logger.warn('max-deliveries advisory for a message no longer in the stream', { streamSequence: seq });
      return;
    }
    const deliveries = Number(advisory.deliveries);
    const failure: RecordFailure = {
      stage: Stage.bridge,
      reason: FailureReason.maxDeliveriesExceeded,
      message: `the server stopped delivering it after ${String(advisory.deliveries)} deliveries that no bridge settled (crashes or timeouts)`,
      retryable: false,
    };
    const store = (trace: TraceFields) =>
      deadLetters.publish(
        nats.defaultDeadLetterSubject,
        buildDeadLetter(
          {
            subject: stored.subject,
            headers: headersToMap(stored.header),
            data: stored.data,
            stream: nats.ingest.name,
            seq,
            time: stored.time,
            deliveries: Number.isInteger(deliveries) ? deliveries : 0,
          },
          failure,
          { routeKey: null, eventId: null, trace },
        ),
      );
    const id = letterId(nats.ingest.name, seq);
    const facts = { subject: nats.defaultDeadLetterSubject, letterId: id, failure, routeKey: null, eventId: null, headers: stored.header };
    const written = deps.tracer === undefined ? await store({}) : await inDeadLetterSpan(deps.tracer, facts, store);
    deps.deadLettered?.add(1, { route: UNKNOWN_ROUTE, stage: Stage.bridge, reason: FailureReason.maxDeliveriesExceeded });
    logger.warn('dead-lettered after max deliveries', {
      letterId: id,
      subject: stored.subject,
      streamSequence: seq,
      deliveries: advisory.deliveries,
      ...(written.originalStoredApart ? { originalStoredApart: true, payloadBytes: stored.data.length } : {}),
    });
  }

  return {
    async start() {
      const consumer = await js.consumers.get(topology.stream, advisoryConsumer);
      messages = await consumer.consume({ max_messages: 100 });
      const current = messages;
      // Advisories are rare; an async loop keeps the handling simple and in order.
      loop = (async () => {
        for await (const advisoryMsg of current) {
          try {
            await deadLetterFrom(advisoryMsg);
            advisoryMsg.ack();
          } catch (error) {
            logger.error('max-deliveries advisory not handled; will retry', { error });
            advisoryMsg.nak(5000);
          }
        }
      })();
    },
    async stop() {
      await messages?.close();
      await loop;
    },
  };
}

export { createMaxDeliveriesWatcher };
export type { MaxDeliveriesWatcher };
