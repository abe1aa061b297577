import type { MsgHdrs } from '@nats-io/nats-core';
import { type Context, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { RecordFailure } from '../shared/failures/index.ts';
import {
  ATTR,
  contextFromHeaders,
  MESSAGING_SYSTEM_NATS,
  markFailed,
  SPAN,
  spanContextOf,
  type TraceFields,
  traceFieldsOf,
} from '../shared/telemetry/index.ts';

/** What a dead-letter span says about its letter. */
type DeadLetterSpanFacts = {
  /** The dead-letter subject the letter goes to. */
  readonly subject: string;
  readonly letterId: string;
  readonly failure: RecordFailure;
  /** The route key as letters spell it (`type.version`), when known. */
  readonly routeKey: string | null;
  readonly eventId: string | null;
  /** The original message's headers: the span is a child of the context they carry. */
  readonly headers: MsgHdrs | undefined;
};

/**
 * Runs `store` in the dead letter's `ingest.dead_letter` PRODUCER span and hands it the span's
 * W3C context for the letter. The span is a child of the original message's own context, so a
 * traced event's trace ends here; without one, of `batch` (the batch span's context, for the
 * bridge's letters; none for the max-deliveries watcher's). It is linked to the batch span either
 * way. ERROR status with the failure's reason and message; a letter not stored says so instead.
 */
function inDeadLetterSpan<T>(tracer: Tracer, facts: DeadLetterSpanFacts, store: (trace: TraceFields) => Promise<T>, batch: Context = ROOT_CONTEXT): Promise<T> {
  const batchSpan = spanContextOf(batch);
  const parent = contextFromHeaders(facts.headers, batch);
  const { failure } = facts;
  const span = tracer.startSpan(
    SPAN.deadLetter,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR.messagingSystem]: MESSAGING_SYSTEM_NATS,
        [ATTR.operationType]: 'send',
        [ATTR.destination]: facts.subject,
        [ATTR.deadLetterId]: facts.letterId,
        [ATTR.failureStage]: failure.stage,
        [ATTR.failureReason]: failure.reason,
        ...(facts.routeKey === null ? {} : { [ATTR.route]: facts.routeKey }),
        ...(facts.eventId === null ? {} : { [ATTR.messageId]: facts.eventId }),
      },
      links: batchSpan === undefined ? [] : [{ context: batchSpan }],
    },
    parent,
  );
  markFailed(span, failure.reason, failure.message);
  return store(traceFieldsOf(trace.setSpan(parent, span))).then(
    (stored) => {
      span.end();
      return stored;
    },
    (error: unknown) => {
      markFailed(span, 'dead_letter_publish_failed', `dead letter not stored: ${(error as Error).message}`);
      span.end();
      throw error;
    },
  );
}

export { inDeadLetterSpan };
export type { DeadLetterSpanFacts };
