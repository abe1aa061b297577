import type { JetStreamClient } from '@nats-io/jetstream';
import { type Context, type Link, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { type DeadLetter, type OriginalContent, REPLAY_COUNT_HEADER } from '../../deadletters/index.ts';
import { type HeaderMap, mapToHeaders } from '../../nats/index.ts';
import {
  ATTR,
  contextFromStoredHeaders,
  contextFromTraceFields,
  MESSAGING_SYSTEM_NATS,
  markFailed,
  SPAN,
  spanContextOf,
  TRACING_OFF,
  withTraceHeaders,
} from '../../telemetry/index.ts';

/** Headers the republish sets itself: the replay count, and the trace context of the replay span. */
const OWN_HEADERS = new Set([REPLAY_COUNT_HEADER.toLowerCase(), 'traceparent', 'tracestate']);

/**
 * The trace a letter continues: the dead-letter span the bridge recorded in the letter, else the
 * original message's own `traceparent` header (letters written before tracing, or by the
 * max-deliveries watcher).
 */
function letterContext(letter: DeadLetter, originalHeaders: HeaderMap): Context {
  const fromLetter = contextFromTraceFields(letter);
  return spanContextOf(fromLetter) === undefined ? contextFromStoredHeaders(originalHeaders) : fromLetter;
}

/**
 * Publishes the original bytes to the original subject with the original headers, except the
 * server's own `Nats-*` headers: reusing the producer's Nats-Msg-Id would have the stream drop the
 * replay as a duplicate of the first publish. The new id names the original message and this
 * replay, so a run that crashed and runs again does not publish it twice.
 *
 * Each republish runs in an `ingest.dlq.replay` PRODUCER span, child of the letter's trace
 * (letterContext) and linked to `run` (the replay invocation's span), and the message carries that span's
 * `traceparent`: the event's second pass through the plane continues its first trace. With
 * tracing off the span is a no-op that still carries the letter's context forward.
 */
function createRepublisher(
  js: JetStreamClient,
  ingestStream: string,
  tracer: Tracer = TRACING_OFF.tracer,
  run: Context = ROOT_CONTEXT,
): (letter: DeadLetter, original: OriginalContent) => Promise<void> {
  const runSpan = spanContextOf(run);
  return async (letter, original) => {
    const headers: Record<string, readonly string[]> = {};
    for (const [name, values] of Object.entries(original.headers)) {
      const lower = name.toLowerCase();
      if (!lower.startsWith('nats-') && !OWN_HEADERS.has(lower)) headers[name] = values;
    }
    headers[REPLAY_COUNT_HEADER] = [String(letter.replayCount + 1)];
    const parent = letterContext(letter, original.headers);
    const span = tracer.startSpan(
      SPAN.replay,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR.messagingSystem]: MESSAGING_SYSTEM_NATS,
          [ATTR.operationType]: 'send',
          [ATTR.destination]: letter.subject,
          [ATTR.deadLetterId]: letter.id,
          [ATTR.replayCount]: letter.replayCount + 1,
          ...(letter.routeKey === null ? {} : { [ATTR.route]: letter.routeKey }),
        },
        links: runSpan === undefined ? [] : [{ context: runSpan } satisfies Link],
      },
      parent,
    );
    try {
      await js.publish(letter.subject, Buffer.from(original.payload, 'base64'), {
        headers: withTraceHeaders(mapToHeaders(headers), trace.setSpan(parent, span)),
        msgID: `replay:${letter.id}:${letter.replayCount + 1}`,
        expect: { streamName: ingestStream },
      });
    } catch (error) {
      markFailed(span, 'republish_failed', (error as Error).message);
      throw error;
    } finally {
      span.end();
    }
  };
}

export { createRepublisher, letterContext };
