import type { StageHeaders } from '../cloudevents/index.ts';
import type { Failed, SinkTarget, SinkWriteResult } from '../sinks/index.ts';
import type { TraceFields } from '../telemetry/index.ts';

/**
 * The request/response bodies the bridge sends to each function. Every record carries the
 * bridge's `id` (the JetStream stream sequence) so results map back to messages one to one.
 */

/**
 * A message as it left JetStream. Payload bytes travel as base64. Of its headers only those a
 * stage reads travel: the CloudEvents binding's `ce-*` and `content-type` (`headers`, absent when
 * the message has none of them). The rest (`Nats-Msg-Id`, `traceparent`, anything private) stay
 * in the stream and in dead letters.
 */
type RawRecord = {
  readonly id: string;
  readonly subject: string;
  readonly payload: string;
  /** When JetStream stored the message, in milliseconds since the epoch. */
  readonly publishedAtMs: number;
  readonly headers?: StageHeaders;
};

/**
 * Every stage request may carry the W3C trace context of the bridge's invoke span
 * (`traceparent`, `tracestate`): the function's handler span continues that trace. Optional, so a
 * hand-made `osls invoke` without it still works.
 */
type TracedRequest = TraceFields;

type ValidateRequest = TracedRequest & { readonly records: readonly RawRecord[] };

/**
 * One registry version as validate resolved it: its number, and the key that changes whenever its
 * document may have changed. Sink-write decodes with the versions pinned, or not at all.
 */
type SchemaPin = { readonly numericId: number; readonly cacheKey: string };

/**
 * Validate's verdict on a record that decodes: its event id and the reader and writer versions it
 * decoded with. The decoded event does not travel back; sink-write decodes the same bytes again.
 */
type ValidateVerdict = { readonly id: string; readonly ok: true; readonly eventId: string; readonly reader: SchemaPin; readonly writer: SchemaPin };
type ValidateResult = ValidateVerdict | Failed;
type ValidateResponse = { readonly results: readonly ValidateResult[] };

type RouteRequest = TracedRequest & { readonly records: readonly { readonly id: string; readonly subject: string }[] };
type RouteResult =
  | {
      readonly id: string;
      readonly ok: true;
      /** Where the record goes: one target, or several for a fan-out route. */
      readonly sinks: readonly SinkTarget[];
      readonly deadLetterSubject: string;
      /** Deliveries before a transient failure is dead-lettered, when the route sets one. */
      readonly retryBudget?: number;
    }
  | Failed;
type RouteResponse = { readonly results: readonly RouteResult[] };

/** An event named by its id, for the sink-write requests that decode nothing: a delivery to record, or a check. */
type DeliveryRecord = { readonly id: string; readonly subject: string; readonly eventId: string };

/**
 * A validated record on its way to a sink: the payload exactly as validate got it (the same base64
 * string) and the versions validate pinned. Sink-write decodes it with those versions, and answers
 * `registry_changed` (retryable) when the registry no longer has them as they were.
 */
type PinnedRecord = DeliveryRecord & {
  readonly payload: string;
  readonly publishedAtMs: number;
  /** The record's stage headers, as validate got them: sink-write reads the event as validate did. */
  readonly headers?: StageHeaders;
  readonly reader: SchemaPin;
  readonly writer: SchemaPin;
  /**
   * Set for a fan-out record that comes again (a redelivery or a replay): sink-write skips the
   * target when the event already reached it, and remembers it when it reaches it now.
   */
  readonly trackDelivery?: boolean;
};

/**
 * One sink target per request: the bridge sends each target its own group, under its own limit.
 * With `recordDeliveryOnly`, nothing is written or decoded: the records' events already reached
 * the target and sink-write only remembers that (the bridge asks when a fan-out record's other
 * sinks failed), so the delivery state costs nothing while every sink succeeds.
 */
type SinkWriteRequest = TracedRequest &
  (
    | { readonly target: SinkTarget; readonly records: readonly PinnedRecord[]; readonly recordDeliveryOnly?: false }
    | { readonly target: SinkTarget; readonly records: readonly DeliveryRecord[]; readonly recordDeliveryOnly: true }
  );
/** A sink target's circuit breaker, as sink-write's TargetGuard saw it after the call. */
type CircuitState = 'open' | 'closed';
type SinkWriteResponse = {
  readonly results: readonly SinkWriteResult[];
  /**
   * Set when the write went through the target's circuit breaker: `open` while the target's
   * records are refused at once (sink_unavailable with Retry-After), `closed` otherwise. The bridge
   * exports it as the target's circuit state.
   */
  readonly circuit?: CircuitState;
};

/**
 * Does the target already have these events? Sent to sink-write before the bridge dead-letters
 * events whose sink writes failed, because a write can commit and its answer still be lost
 * (a timeout, a crash after the commit): such an event is settled as delivered, not dead-lettered.
 * Nothing is written.
 */
type SinkCheckRequest = TracedRequest & {
  readonly target: SinkTarget;
  readonly records: readonly DeliveryRecord[];
  readonly checkDeliveryOnly: true;
};
type SinkCheckResult =
  /** `unknown`: the sink cannot be asked (an HTTP endpoint) and no delivery state says it has it. */
  { readonly id: string; readonly ok: true; readonly delivered: 'yes' | 'no' | 'unknown' } | Failed;
type SinkCheckResponse = { readonly results: readonly SinkCheckResult[] };

export type {
  RawRecord,
  Failed,
  SchemaPin,
  ValidateRequest,
  ValidateVerdict,
  ValidateResult,
  ValidateResponse,
  RouteRequest,
  RouteResult,
  RouteResponse,
  DeliveryRecord,
  PinnedRecord,
  SinkWriteRequest,
  SinkWriteResult,
  SinkWriteResponse,
  CircuitState,
  SinkCheckRequest,
  SinkCheckResult,
  SinkCheckResponse,
  TracedRequest,
};
