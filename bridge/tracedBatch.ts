import type { JsMsg } from '@nats-io/jetstream';
import { type Attributes, type Context, type Link, ROOT_CONTEXT, type SpanContext, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { Stage } from '../shared/failures/index.ts';
import { formatRouteKey, routeKeyFromSubject } from '../shared/names/index.ts';
import { ATTR, MESSAGING_SYSTEM_NATS, markFailed, SPAN } from '../shared/telemetry/index.ts';
import { messageSpanContext } from './messageTrace.ts';

/** Where a batch span hangs: its parent, and a link to each message's own context. */
type BatchParent = { readonly parent: Context; readonly links: Link[] };

/**
 * The batch rule. A batch span is linked to the context of every message that carries one (the
 * OpenTelemetry way for a batch that serves many traces). When every message of the batch carries
 * a context and all of them belong to one trace, the batch span also joins that trace, as a child
 * of the first message's context: a single traced event (or a batch of one producer's traced
 * events) then has one trace id from the producer through the bridge, the functions and its sink
 * write or dead letter. Otherwise the batch span starts a trace of its own.
 */
function batchParent(contexts: readonly (SpanContext | undefined)[]): BatchParent {
  const links: Link[] = [];
  let first: SpanContext | undefined;
  let oneTrace = contexts.length > 0;
  for (const spanContext of contexts) {
    if (spanContext === undefined) {
      oneTrace = false;
      continue;
    }
    links.push({ context: spanContext });
    if (first === undefined) first = spanContext;
    else if (spanContext.traceId !== first.traceId) oneTrace = false;
  }
  return { parent: oneTrace && first !== undefined ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT, links };
}

/** The subject and route key of a batch whose messages share one subject (a span may carry a subject; a metric may not). */
function subjectAttributes(batch: readonly JsMsg[]): Attributes {
  const subject = batch[0]?.subject;
  if (subject === undefined || batch.some((msg) => msg.subject !== subject)) return {};
  try {
    return { [ATTR.destination]: subject, [ATTR.route]: formatRouteKey(routeKeyFromSubject(subject, Stage.bridge)) };
  } catch {
    return { [ATTR.destination]: subject };
  }
}

/**
 * Runs each batch in an `ingest.bridge.batch` CONSUMER span (batchParent says where it hangs) and
 * hands `run` the span's context, the parent of the batch's stage invokes and dead letters. The
 * context is passed along, never made active: an active context needs AsyncLocalStorage, whose
 * hooks slow every promise of the process (tens of percent of the bridge's CPU per event). Only
 * used when tracing is on: reading the messages' trace headers costs a header scan each.
 */
function tracedBatches(tracer: Tracer, consumer: string, run: (batch: JsMsg[], batchContext: Context) => Promise<void>): (batch: JsMsg[]) => Promise<void> {
  return (batch) => {
    const { parent, links } = batchParent(batch.map(messageSpanContext));
    const attributes: Attributes = {
      [ATTR.messagingSystem]: MESSAGING_SYSTEM_NATS,
      [ATTR.operationType]: 'process',
      [ATTR.consumerGroup]: consumer,
      [ATTR.batchCount]: batch.length,
      ...subjectAttributes(batch),
    };
    const span = tracer.startSpan(SPAN.batch, { kind: SpanKind.CONSUMER, attributes, links }, parent);
    return run(batch, trace.setSpan(parent, span)).then(
      () => span.end(),
      (error: unknown) => {
        markFailed(span, 'batch_failed', (error as Error).message);
        span.end();
        throw error;
      },
    );
  };
}

export { batchParent, tracedBatches };
