import type { JsonValue } from '../avro/index.ts';
import type { RecordFailure } from '../failures/index.ts';
import type { RouteKey } from '../names/index.ts';

/**
 * The records a sink writes and the answers it gives, one per record. They are also the
 * sink-write function's wire format (see contracts), defined here because sinks sit below it.
 */

/** A decoded, schema-checked event. */
type ValidatedEvent = {
  readonly eventId: string;
  readonly routeKey: RouteKey;
  /** The event's own `time` field, or the JetStream publish time when the schema has none. */
  readonly time: string;
  readonly source: string | null;
  /** The decoded Avro record as JSON (timestamps ISO-8601, bytes base64). */
  readonly body: { readonly [key: string]: JsonValue };
};

type Failed = {
  readonly id: string;
  readonly ok: false;
  readonly failure: RecordFailure;
  /** The route's dead-letter subject, when the failing stage knew the route. */
  readonly deadLetterSubject?: string;
  /** The route key, when the subject parsed. */
  readonly routeKey?: RouteKey;
};

type SinkWriteRecord = {
  readonly id: string;
  readonly subject: string;
  readonly event: ValidatedEvent;
  /**
   * Set for a fan-out record that comes again (a redelivery or a replay): sink-write skips the
   * target when the event already reached it, and remembers it when it reaches it now.
   */
  readonly trackDelivery?: boolean;
};
type SinkWriteResult =
  /** `duplicate` is true when the event id had already landed: a redelivery, not a second row. */
  { readonly id: string; readonly ok: true; readonly duplicate: boolean } | Failed;
export type { ValidatedEvent, Failed, SinkWriteRecord, SinkWriteResult };
