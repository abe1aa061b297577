import type { Failed, SinkTarget, SinkWriteRecord, SinkWriteResult, ValidatedEvent } from '../sinks/index.ts';

/**
 * The request/response bodies the bridge sends to each function. Every record carries the
 * bridge's `id` (the JetStream stream sequence) so results map back to messages one to one.
 */

/**
 * A message as it left JetStream. Payload bytes travel as base64. Headers do not travel: no stage
 * reads them (the event's attributes are in its Avro body), and they stay in the stream and in
 * dead letters.
 */
type RawRecord = {
  readonly id: string;
  readonly subject: string;
  readonly payload: string;
  /** When JetStream stored the message, in milliseconds since the epoch. */
  readonly publishedAtMs: number;
};

type ValidateRequest = { readonly records: readonly RawRecord[] };
type ValidateResult = { readonly id: string; readonly ok: true; readonly event: ValidatedEvent } | Failed;
type ValidateResponse = { readonly results: readonly ValidateResult[] };

type RouteRequest = { readonly records: readonly { readonly id: string; readonly subject: string }[] };
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

/**
 * One sink target per request: the bridge sends each target its own group, under its own limit.
 * With `recordDeliveryOnly`, nothing is written: the records' events already reached the target
 * and sink-write only remembers that (the bridge asks when a fan-out record's other sinks failed),
 * so the delivery state costs nothing while every sink succeeds.
 */
type SinkWriteRequest = {
  readonly target: SinkTarget;
  readonly records: readonly SinkWriteRecord[];
  readonly recordDeliveryOnly?: boolean;
};
type SinkWriteResponse = { readonly results: readonly SinkWriteResult[] };

/**
 * Does the target already have these events? Sent to sink-write before the bridge dead-letters
 * events whose sink writes failed, because a write can commit and its answer still be lost
 * (a timeout, a crash after the commit): such an event is settled as delivered, not dead-lettered.
 * Nothing is written.
 */
type SinkCheckRequest = {
  readonly target: SinkTarget;
  readonly records: readonly SinkWriteRecord[];
  readonly checkDeliveryOnly: true;
};
type SinkCheckResult =
  /** `unknown`: the sink cannot be asked (an HTTP endpoint) and no delivery state says it has it. */
  { readonly id: string; readonly ok: true; readonly delivered: 'yes' | 'no' | 'unknown' } | Failed;
type SinkCheckResponse = { readonly results: readonly SinkCheckResult[] };

export type {
  RawRecord,
  ValidatedEvent,
  Failed,
  ValidateRequest,
  ValidateResult,
  ValidateResponse,
  RouteRequest,
  RouteResult,
  RouteResponse,
  SinkWriteRecord,
  SinkWriteRequest,
  SinkWriteResult,
  SinkWriteResponse,
  SinkCheckRequest,
  SinkCheckResult,
  SinkCheckResponse,
};
