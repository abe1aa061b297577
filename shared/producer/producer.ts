import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { type AvroType, encodeAvro, fingerprintFromHex, frame, SchemaCache, type WireFormat } from '../avro/index.ts';
import type { RouteRecord } from '../routes/index.ts';

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

function createProducer(js: JetStreamClient): Producer {
  const schemas = new SchemaCache();
  const typeFor = (route: RouteRecord): AvroType => schemas.get(route.schema.cacheKey, route.schema.definition);
  return {
    publish(route, event) {
      return js.publish(route.subject, encodeEvent(route, event, typeFor(route)), { msgID: event.id });
    },
    publishRaw(subject, payload, msgId) {
      return js.publish(subject, payload, msgId === undefined ? undefined : { msgID: msgId });
    },
  };
}

export { createProducer, encodeEvent };
export type { EventValue, Producer };
