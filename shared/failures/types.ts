/** The stage that produced an outcome. */
const Stage = {
  bridge: 'bridge',
  validate: 'validate',
  route: 'route',
  sinkWrite: 'sink-write',
} as const;
type Stage = (typeof Stage)[keyof typeof Stage];

/**
 * Stable reason codes. Operators filter dead letters and alert on these, so a code is never
 * renamed or reused for another meaning; new failures get new codes.
 */
const FailureReason = {
  invalidSubject: 'invalid_subject',
  unknownRoute: 'unknown_route',
  unsupportedSchemaFormat: 'unsupported_schema_format',
  avroDecodeFailed: 'avro_decode_failed',
  invalidFrame: 'invalid_frame',
  unknownSchemaId: 'unknown_schema_id',
  schemaMismatch: 'schema_mismatch',
  missingEventId: 'missing_event_id',
  unknownSink: 'unknown_sink',
  sinkTargetMissing: 'sink_target_missing',
  sinkRefused: 'sink_refused',
  sinkRejected: 'sink_rejected',
  sinkUnavailable: 'sink_unavailable',
  registryUnavailable: 'registry_unavailable',
  invokeFailed: 'invoke_failed',
  malformedResponse: 'malformed_response',
  retriesExhausted: 'retries_exhausted',
  maxDeliveriesExceeded: 'max_deliveries_exceeded',
  deliveryStateUnavailable: 'delivery_state_unavailable',
  /** A record whose invoke request alone exceeds the Lambda request limit (LAMBDA_MAX_REQUEST_BYTES). */
  payloadTooLarge: 'payload_too_large',
  /**
   * The registry no longer says what validate found (a version's document, the route's reader or
   * the writer changed between validate and sink-write): retried, so the event is validated again.
   */
  registryChanged: 'registry_changed',
  /**
   * A CloudEvents message the binding cannot read: a structured event that is not JSON, lacks a
   * required attribute or has the wrong specversion; binary-mode headers that are incomplete or
   * badly encoded; a CloudEvents message on a route whose message group does not declare them.
   */
  cloudEventsInvalid: 'cloudevents_invalid',
  /** A CloudEvents attribute (id, source, type, time) that disagrees with the same field of the Avro body. */
  cloudEventsMismatch: 'cloudevents_mismatch',
} as const;
type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/** A failure as it travels between stages (JSON-safe). */
type RecordFailure = {
  readonly stage: Stage;
  readonly reason: FailureReason;
  readonly message: string;
  /** True when the same event may succeed later without any change (outage, timeout). */
  readonly retryable: boolean;
  /** How long the sink asked to be left alone (HTTP Retry-After); the bridge waits at least this. */
  readonly retryAfterMs?: number;
  /** For a fan-out route: what each sink made of the event (which ones got it, which failed and why). */
  readonly sinks?: readonly SinkOutcome[];
};

/** One sink of a fan-out route, as seen by one delivery of an event. `sink` is its identity (`postgres:metric_events`). */
type SinkOutcome =
  | { readonly sink: string; readonly delivered: true }
  | { readonly sink: string; readonly delivered: false; readonly reason: FailureReason; readonly message: string; readonly retryable: boolean };

export { Stage, FailureReason };
export type { RecordFailure, SinkOutcome };
