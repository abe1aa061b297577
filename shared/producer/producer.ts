import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { type AvroType, encodeAvro, fingerprintFromHex, frame, SchemaCache, type WireFormat } from '../avro/index.ts';
import type { RouteRecord } from '../routes/index.ts';
import { type CloudEventOptions, cloudEventAttributes, cloudEventMessage } from './cloudEvents.ts';
import { ATTR, MESSAGING_SYSTEM_NATS, markFailed, SPAN, TRACER_NAME, withTraceHeaders } from '../telemetry/index.ts';

/** The event fields the plane relies on; the rest is whatever the route's schema declares. */
type EventValue = { readonly id: string } & Readonly<Record<string, unknown>>;

type Producer = {
  /**
   * Encodes `event` with the route's schema, frames it as the route's wire format says, and
   * publishes it with Nats-Msg-Id = event id.
   */
  publish(route: RouteRecord, event: EventValue): Promise<PubAck>;
  /**
   * Publishes `event` as a CloudEvent in the NATS binding's binary or structured content mode
   * (for a route whose message group declares `envelope: CloudEvents/1.0`), with Nats-Msg-Id =
   * the CloudEvent's id. The event may lack the fields its attributes carry (id, source, time),
   * when the route's schema has none.
   */
  publishCloudEvent(route: RouteRecord, event: Readonly<Record<string, unknown>>, options: CloudEventOptions): Promise<PubAck>;
  /** Publishes bytes as they are, for producers that encode themselves (and for tests of bad input). */
  publishRaw(subject: string, payload: Uint8Array, msgId?: string, headers?: MsgHdrs): Promise<PubAck>;
};

/** The bytes a producer on this route sends: the Avro body in the route's framing. */
function encodeEvent(route: RouteRecord, event: Readonly<Record<string, unknown>>, type: AvroType): Buffer {
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
async function tracedPublish(js: JetStreamClient, subject: string, payload: Uint8Array, msgId: string | undefined, given?: MsgHdrs): Promise<PubAck> {
  const span = trace.getTracer(TRACER_NAME).startSpan(SPAN.publish, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR.messagingSystem]: MESSAGING_SYSTEM_NATS,
      [ATTR.operationType]: 'send',
      [ATTR.destination]: subject,
      ...(msgId === undefined ? {} : { [ATTR.messageId]: msgId }),
    },
  });
  const headers = withTraceHeaders(given, trace.setSpan(context.active(), span));
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
    publishCloudEvent(route, event, options) {
      const attributes = cloudEventAttributes(route, event, options.attributes);
      const { payload, headers } = cloudEventMessage(attributes, encodeEvent(route, event, typeFor(route)), options.mode);
      return tracedPublish(js, route.subject, payload, attributes.id, headers);
    },
    publishRaw(subject, payload, msgId, headers) {
      return tracedPublish(js, subject, payload, msgId, headers);
    },
  };
}

export { createProducer, encodeEvent };
export type { EventValue, Producer };
