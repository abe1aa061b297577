import { type Frame, type JsonValue, toJsonValue, unframe, WIRE_FORMATS, type WireFormat } from '../avro/index.ts';
import { type BodyFields, type CloudEventAttributes, checkAgainstBody, type StageHeaders, timestampMs } from '../cloudevents/index.ts';
import type { Failed } from '../contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../failures/index.ts';
import { formatRouteKey, type RouteKey } from '../names/index.ts';
import type { RouteLookup, RouteRecord, SchemaVersionRef } from '../routes/index.ts';
import type { ValidatedEvent } from '../sinks/index.ts';
import { type ResolvedRoute, resolveRoute } from './resolveRoute.ts';
import { openPayload, type ReadCloudEvent } from './eventEnvelope.ts';
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

/** A record's payload out of its CloudEvent (when it is one) and its route's wire frame. Throws an IngestError (`cloudevents_invalid`, `invalid_frame`). */
function unframePayload(route: ResolvedDecodingRoute, payload: string, headers?: StageHeaders): { frame: Frame; cloudEvent?: ReadCloudEvent } {
  const opened = openPayload(route, headers, payload);
  const frame = unframe(route.accepted, opened.data);
  return opened.cloudEvent === undefined ? { frame } : { frame, cloudEvent: opened.cloudEvent };
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
  readonly #attributes: CloudEventAttributes | undefined;

  constructor(eventId: string, value: unknown, routeKey: RouteKey, publishedAtMs: number, attributes?: CloudEventAttributes) {
    this.eventId = eventId;
    this.#value = value;
    this.#routeKey = routeKey;
    this.#publishedAtMs = publishedAtMs;
    this.#attributes = attributes;
  }

  /**
   * The event as sinks take it: time is the body's own, else the CloudEvent's `time` (to the
   * millisecond), else the publish time; source is the body's, else the CloudEvent's.
   */
  toEvent(): ValidatedEvent {
    const body = toJsonValue(this.#value) as { [key: string]: JsonValue };
    const attributes = this.#attributes;
    return {
      eventId: this.eventId,
      routeKey: this.#routeKey,
      time:
        typeof body.time === 'string' ? body.time : new Date(attributes?.time === undefined ? this.#publishedAtMs : timestampMs(attributes.time)).toISOString(),
      source: typeof body.source === 'string' ? body.source : (attributes?.source ?? null),
      body,
    };
  }
}

/** The decoded record's `id` as its JSON form would spell it (a string id, nearly always, is taken as it is). */
function eventIdOf(value: unknown): JsonValue {
  const id = typeof value === 'object' && value !== null ? (value as { readonly id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : toJsonValue(id);
}

/**
 * Decodes a frame's body; throws an IngestError when it does not decode or has no event id. With
 * a CloudEvent around it, the body's id, source, type and time must agree with its attributes
 * (`cloudevents_mismatch`), and the attributes stand in for those the body lacks.
 */
function decodeEvent(
  decoders: DecoderCache,
  route: ResolvedDecodingRoute,
  reader: SchemaVersionRef,
  writer: SchemaVersionRef,
  body: Buffer,
  publishedAtMs: number,
  cloudEvent?: ReadCloudEvent,
): DecodedEvent {
  const value = decoders.get(reader, writer)(body);
  if (cloudEvent !== undefined && typeof value === 'object' && value !== null) checkAgainstBody(cloudEvent.attributes, value as BodyFields, cloudEvent.mode);
  const bodyId = eventIdOf(value);
  // A body without a string id (the schema has none, or it is null) takes the CloudEvent's.
  const eventId = typeof bodyId !== 'string' && cloudEvent !== undefined ? cloudEvent.attributes.id : bodyId;
  if (typeof eventId !== 'string' || eventId.trim() === '') {
    throw new IngestError(Stage.validate, FailureReason.missingEventId, 'event has an empty "id"', { retryable: false });
  }
  return new DecodedEvent(eventId, value, route.routeKey, publishedAtMs, cloudEvent?.attributes);
}

/** The failed answer for a record whose decoding threw; anything but an IngestError is a bug and is thrown. */
function decodeFailure(id: string, error: unknown, route?: ResolvedDecodingRoute): Failed {
  if (!(error instanceof IngestError)) throw error;
  return { id, ok: false, failure: error.toFailure(), deadLetterSubject: route?.route.deadLetterSubject, routeKey: route?.routeKey };
}

export { decodeEvent, decodeFailure, resolveDecodingRoute, unframePayload };
export type { DecodedEvent, DecodingRoute, ResolvedDecodingRoute };
