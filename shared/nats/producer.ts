import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { type AvroType, SchemaCache, encodeAvro } from '../avro/index.ts';
import type { RouteRecord } from '../registry/index.ts';

/** The event fields the plane relies on; the rest is whatever the route's schema declares. */
type EventValue = { readonly id: string } & Readonly<Record<string, unknown>>;

type Producer = {
  /** Encodes `event` with the route's schema and publishes it with Nats-Msg-Id = event id. */
  publish(route: RouteRecord, event: EventValue): Promise<PubAck>;
  /** Publishes bytes as they are, for producers that encode themselves (and for tests of bad input). */
  publishRaw(subject: string, payload: Uint8Array, msgId?: string): Promise<PubAck>;
};

function createProducer(js: JetStreamClient): Producer {
  const schemas = new SchemaCache();
  const typeFor = (route: RouteRecord): AvroType =>
    schemas.get(`${route.subject}@${route.epoch}`, route.schema.definition);
  return {
    publish(route, event) {
      return js.publish(route.subject, encodeAvro(typeFor(route), event), { msgID: event.id });
    },
    publishRaw(subject, payload, msgId) {
      return js.publish(subject, payload, msgId === undefined ? undefined : { msgID: msgId });
    },
  };
}

export { createProducer };
export type { EventValue, Producer };
