import { type Span, SpanStatusCode } from '@opentelemetry/api';

// Span names and attribute keys of the plane's traces, in one place.
//
// There is no OpenTelemetry semantic convention for NATS yet, so spans use the generic messaging
// attributes with `messaging.system = "nats"`. The messaging keys are still "incubating" in
// @opentelemetry/semantic-conventions, whose guidance is to copy incubating names rather than
// import them (they may move between minor versions); they are spelled here once.

const SPAN = {
  /** The producer API's publish (PRODUCER). */
  publish: 'ingest.publish',
  /** One bridge batch (CONSUMER): linked to every message's context, child of it when they share one trace. */
  batch: 'ingest.bridge.batch',
  /** The bridge calling a stage function (CLIENT); the stage name follows: `ingest.invoke validate`. */
  invoke: 'ingest.invoke',
  /** A dead letter stored by the bridge (PRODUCER), child of the message's own context. */
  deadLetter: 'ingest.dead_letter',
  /** One sink write of sink-write (CLIENT), per target. */
  sinkWrite: 'ingest.sink.write',
  /** dlq-replay re-publishing a letter's original (PRODUCER), child of the letter's context. */
  replay: 'ingest.dlq.replay',
} as const;

const ATTR = {
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
  messageId: 'messaging.message.id',
  errorType: 'error.type',
  route: 'ingest.route',
  stage: 'ingest.stage',
  sink: 'ingest.sink',
  sinkKind: 'ingest.sink.kind',
  failedRecords: 'ingest.records.failed',
  failureStage: 'ingest.failure.stage',
  failureReason: 'ingest.failure.reason',
  deadLetterId: 'ingest.dead_letter.id',
  replayCount: 'ingest.replay.count',
} as const;

const MESSAGING_SYSTEM_NATS = 'nats';

/** Marks a span failed: ERROR status with the message, and the reason code as `error.type`. */
function markFailed(span: Span, reason: string, message: string): void {
  span.setAttribute(ATTR.errorType, reason);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

type ResultLike = { readonly ok: true } | { readonly ok: false; readonly failure: { readonly reason: string; readonly message: string } };

/**
 * Records a stage answer's failed records on its span: their count, and when any failed, ERROR
 * status naming each distinct reason with the first message for it (bounded by the taxonomy's
 * reason codes, however many records failed).
 */
function markFailedResults(span: Span, results: readonly ResultLike[]): void {
  const reasons = new Map<string, string>();
  let failed = 0;
  for (const result of results) {
    if (result.ok) continue;
    failed++;
    if (!reasons.has(result.failure.reason)) reasons.set(result.failure.reason, result.failure.message);
  }
  if (failed === 0) return;
  span.setAttribute(ATTR.failedRecords, failed);
  const names = [...reasons.keys()].sort();
  markFailed(span, names.join(','), [...reasons].map(([reason, message]) => `${reason}: ${message}`).join('; '));
}

export { ATTR, MESSAGING_SYSTEM_NATS, markFailed, markFailedResults, SPAN };
export type { ResultLike };
