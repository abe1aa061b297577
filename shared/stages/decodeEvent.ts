import { type Frame, type JsonValue, toJsonValue, unframe, WIRE_FORMATS, type WireFormat } from '../avro/index.ts';
import type { Failed } from '../contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../failures/index.ts';
import { formatRouteKey, type RouteKey } from '../names/index.ts';
import type { RouteLookup, RouteRecord, SchemaVersionRef } from '../routes/index.ts';
import type { ValidatedEvent } from '../sinks/index.ts';
import { type ResolvedRoute, resolveRoute } from './resolveRoute.ts';
import type { DecoderCache } from './validate/decoders.ts';

// The one way an event's bytes become a ValidatedEvent. Validate runs it to give its verdict and
// sink-write runs it again on the same bytes with the versions validate pinned, so the two cannot
// decode differently; every failure here is a validate-class failure with validate's reason codes.

const AVRO_FORMAT = /^avro(\/|$)/i;

/** The wire format of an Avro route's records; a route with another schema format or an unknown wire format cannot be decoded. */
function wireFormatOf(route: RouteRecord, routeKey: RouteKey): WireFormat {
  if (!AVRO_FORMAT.test(route.schema.format)) {
    throw new IngestError(
      Stage.validate,
      FailureReason.unsupportedSchemaFormat,
      `route ${formatRouteKey(routeKey)} declares schema format "${route.schema.format}"; only Avro is supported`,
      { retryable: false },
    );
  }
  if ((WIRE_FORMATS as readonly string[]).includes(route.wireFormat)) return route.wireFormat as WireFormat;
  throw new IngestError(Stage.validate, FailureReason.invalidFrame, `route ${formatRouteKey(routeKey)} declares unknown wire format "${route.wireFormat}"`, {
    retryable: false,
  });
}

/** What a subject resolves to for decoding: its route and wire format, or the failure every record on it gets. */
type DecodingRoute = ResolvedRoute<WireFormat>;
type ResolvedDecodingRoute = Extract<DecodingRoute, { ok: true }>;

function resolveDecodingRoute(subject: string, routes: RouteLookup): Promise<DecodingRoute> {
  return resolveRoute(subject, Stage.validate, routes, wireFormatOf);
}

/** A record's base64 payload taken out of its route's wire frame. Throws an IngestError (`invalid_frame`). */
function unframePayload(route: ResolvedDecodingRoute, payload: string): Frame {
  return unframe(route.accepted, Buffer.from(payload, 'base64'));
}

/**
 * A frame's body decoded with the reader and writer versions, its event id checked. The event
 * itself (JSON values, time, source) is built only when asked for: validate answers with the id
 * alone, so only sink-write and `ingest dlq show` pay for turning every field into JSON.
 */
class DecodedEvent {
  readonly eventId: string;
  readonly #value: unknown;
  readonly #routeKey: RouteKey;
  readonly #publishedAtMs: number;

  constructor(eventId: string, value: unknown, routeKey: RouteKey, publishedAtMs: number) {
    this.eventId = eventId;
    this.#value = value;
    this.#routeKey = routeKey;
    this.#publishedAtMs = publishedAtMs;
  }

  /** The event as sinks take it: time is the event's own, or the publish time when the schema has none. */
  toEvent(): ValidatedEvent {
    const body = toJsonValue(this.#value) as { [key: string]: JsonValue };
    return {
      eventId: this.eventId,
      routeKey: this.#routeKey,
      time: typeof body.time === 'string' ? body.time : new Date(this.#publishedAtMs).toISOString(),
      source: typeof body.source === 'string' ? body.source : null,
      body,
    };
  }
}

/** The decoded record's `id` as its JSON form would spell it (a string id, nearly always, is taken as it is). */
function eventIdOf(value: unknown): JsonValue {
  const id = typeof value === 'object' && value !== null ? (value as { readonly id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : toJsonValue(id);
}

/** Decodes a frame's body; throws an IngestError when it does not decode or has no event id. */
function decodeEvent(
  decoders: DecoderCache,
  route: ResolvedDecodingRoute,
  reader: SchemaVersionRef,
  writer: SchemaVersionRef,
  body: Buffer,
  publishedAtMs: number,
): DecodedEvent {
  const value = decoders.get(reader, writer)(body);
  const eventId = eventIdOf(value);
  if (typeof eventId !== 'string' || eventId.trim() === '') {
    throw new IngestError(Stage.validate, FailureReason.missingEventId, 'event has an empty "id"', { retryable: false });
  }
  return new DecodedEvent(eventId, value, route.routeKey, publishedAtMs);
}

/** The failed answer for a record whose decoding threw; anything but an IngestError is a bug and is thrown. */
function decodeFailure(id: string, error: unknown, route?: ResolvedDecodingRoute): Failed {
  if (!(error instanceof IngestError)) throw error;
  return { id, ok: false, failure: error.toFailure(), deadLetterSubject: route?.route.deadLetterSubject, routeKey: route?.routeKey };
}

export { decodeEvent, decodeFailure, resolveDecodingRoute, unframePayload };
export type { DecodedEvent, DecodingRoute, ResolvedDecodingRoute };
