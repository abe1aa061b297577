import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { type AvroType, encodeAvro, fingerprintFromHex, frame, SchemaCache, type WireFormat } from '../avro/index.ts';
import type { RouteRecord } from '../routes/index.ts';
import { ATTR, MESSAGING_SYSTEM_NATS, markFailed, SPAN, TRACER_NAME, withTraceHeaders } from '../telemetry/index.ts';

/** The event fields the plane relies on; the rest is whatever the route's schema declares. */
type EventValue = { readonly id: string } & Readonly<Record<string, unknown>>;

type Producer = {
  /**
   * Encodes `event` with the route's schema, frames it as the route's wire format says, and
   * publishes it with Nats-Msg-Id = event id.
   */
  publish(route: RouteRecord, event: EventValue): Promise<PubAck>;
  /** Publishes bytes as they are, for producers that encode themselves (and for tests of bad input). */
  publishRaw(subject: string, payload: Uint8Array, msgId?: string): Promise<PubAck>;
};

/** The bytes a producer on this route sends: the Avro body in the route's framing. */
function encodeEvent(route: RouteRecord, event: EventValue, type: AvroType): Buffer {
  return frame(route.wireFormat as WireFormat, encodeAvro(type, event), {
    schemaId: route.schema.numericId,
    fingerprint: fingerprintFromHex(route.schema.fingerprint),
  });
}

/**
 * Publishes under an `ingest.publish` PRODUCER span, child of the caller's active context, and
 * sends that span's W3C `traceparent`/`tracestate` in the message headers, so the event joins the
 * caller's trace. The tracer is the global one the host application registered (a no-op without
 * one); a caller with no active trace sends no trace headers.
 */
async function tracedPublish(js: JetStreamClient, subject: string, payload: Uint8Array, msgId: string | undefined): Promise<PubAck> {
  const span = trace.getTracer(TRACER_NAME).startSpan(SPAN.publish, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR.messagingSystem]: MESSAGING_SYSTEM_NATS,
      [ATTR.operationType]: 'send',
      [ATTR.destination]: subject,
      ...(msgId === undefined ? {} : { [ATTR.messageId]: msgId }),
    },
  });
  const headers = withTraceHeaders(undefined, trace.setSpan(context.active(), span));
  try {
    return await js.publish(subject, payload, { ...(msgId === undefined ? {} : { msgID: msgId }), ...(headers === undefined ? {} : { headers }) });
  } catch (error) {
    markFailed(span, 'publish_failed', (error as Error).message);
    throw error;
  } finally {
    span.end();
  }
}

function createProducer(js: JetStreamClient): Producer {
  const schemas = new SchemaCache();
  const typeFor = (route: RouteRecord): AvroType => schemas.get(route.schema.cacheKey, route.schema.definition);
  return {
    publish(route, event) {
      return tracedPublish(js, route.subject, encodeEvent(route, event, typeFor(route)), event.id);
    },
    publishRaw(subject, payload, msgId) {
      return tracedPublish(js, subject, payload, msgId);
    },
  };
}

export { createProducer, encodeEvent };
export type { EventValue, Producer };
