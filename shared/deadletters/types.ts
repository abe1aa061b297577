import type { RecordFailure } from '../failures/index.ts';
import type { HeaderMap } from '../nats/index.ts';

/**
 * Where a dead letter's original headers and payload went when the letter would not fit in one
 * NATS message (the server's max_payload): an object of the dead letters' object store bucket,
 * named after the letter's id.
 */
type StoredOriginal = {
  readonly bucket: string;
  readonly object: string;
  /** Size of the original payload, in bytes. */
  readonly payloadBytes: number;
};

/**
 * Everything needed to understand and re-drive a failed event: the original subject, headers and
 * payload bytes exactly as published, where it sat in the stream, and why and when it failed.
 * Version 2: a stable id, first and last failure times, and originals too large to travel inline
 * kept in the object store (`stored`).
 */
type DeadLetter = {
  readonly version: 2;
  /**
   * `<stream>:<sequence>` of the original message: the letter's one stable id. It does not change
   * when dlq-replay rewrites the letter, and every `ingest dlq` command and dlq-replay accept it.
   */
  readonly id: string;
  readonly subject: string;
  /** The original headers; empty when the original is `stored` out of line. */
  readonly headers: HeaderMap;
  /** The original payload, base64; absent when the original is `stored` out of line. */
  readonly payload?: string;
  readonly stored?: StoredOriginal;
  readonly stream: string;
  readonly streamSequence: number;
  readonly publishedAt: string;
  readonly stage: RecordFailure['stage'];
  readonly reason: RecordFailure['reason'];
  readonly message: string;
  /** Deliveries the event had, this one included. */
  readonly attempts: number;
  /**
   * When the event first failed. Set by the bridge replica that saw the first failure (best effort:
   * a redelivery that reaches another replica, or a restarted one, counts from there) and never
   * changed afterwards, also not by dlq-replay.
   */
  readonly firstFailedAt: string;
  /** When the event last failed: the dead-lettering, or the latest replay check that failed. */
  readonly lastFailedAt: string;
  /** How often dlq-replay has re-driven the event; carried in the `Ingest-Replay-Count` header. */
  readonly replayCount: number;
  /** True once dlq-replay gave up on it: kept with its history, never replayed again. */
  readonly parked?: boolean;
  readonly routeKey: string | null;
  readonly eventId: string | null;
  /** Fan-out routes: each sink's outcome, so it is plain which sinks already have the event. */
  readonly sinks?: RecordFailure['sinks'];
  /**
   * W3C trace context of the dead-letter span, when the bridge traced it: dlq-replay continues the
   * trace from there. (The original's own `traceparent`, if it had one, is in its headers.)
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
};

/** The original message as the bridge held it (a delivery, or a stored message fetched by sequence). */
type OriginalMessage = {
  readonly subject: string;
  readonly headers: HeaderMap;
  readonly data: Uint8Array;
  readonly stream: string;
  readonly seq: number;
  readonly time: Date;
  readonly deliveries: number;
};

/** A dead letter's original headers and payload (base64), wherever they are kept. */
type OriginalContent = { readonly headers: HeaderMap; readonly payload: string };

/** A dead letter and where it sits in the dead-letter stream (`seq` changes when the letter is rewritten; `letter.id` does not). */
type StoredLetter = { readonly seq: number; readonly subject: string; readonly letter: DeadLetter };

export type { DeadLetter, OriginalContent, OriginalMessage, StoredLetter, StoredOriginal };
