import type { JsMsg } from '@nats-io/jetstream';
import type { RetryConfig } from '../shared/config/index.ts';
import type { RecordFailure } from '../shared/failures/index.ts';
import { formatRouteKey } from '../shared/names/index.ts';
import { retryDelayMs } from './backoff.ts';
import { type DeadLetterContext, deadLetterAndTerm, type FailedOutcome } from './deadLetter.ts';
import type { Outcome } from './pipeline.ts';
import { routeLabel } from './routeLabel.ts';
import type { Settlement } from './settle.ts';

type SettlementContext = DeadLetterContext & { readonly retry: RetryConfig };

/**
 * Carries out settle.ts's decision for one message: ack, nak with a delay, or dead letter then
 * term. An ack comes only for an outcome whose sinks committed it (or, after the delivery check,
 * turned out to hold it); a term only once the dead letter is stored.
 */
async function settleMessage(context: SettlementContext, msg: JsMsg, outcome: Outcome, settlement: Settlement): Promise<void> {
  if (settlement.action === 'ack') {
    acknowledge(context, msg, outcome);
    return;
  }
  if (settlement.action === 'retry') {
    retryLater(context, msg, outcome, settlement.delayMs);
    return;
  }
  if (outcome.kind !== 'failed') return;
  await deadLetterOrRetry(context, msg, outcome, settlement.failure);
}

function acknowledge(context: SettlementContext, msg: JsMsg, outcome: Outcome): void {
  msg.ack();
  context.firstFailures.forget(msg.seq);
  // A failed outcome settled as acknowledged is one a sink turned out to hold already.
  const route = routeLabel(outcome);
  if (outcome.kind === 'failed' || outcome.duplicate) {
    context.stats.duplicates++;
    context.instruments.duplicates.add(1, { route });
    return;
  }
  context.stats.committed++;
  context.instruments.committed.add(1, { route });
  // JetStream's own publish time, in nanoseconds: the latency includes retries and time in the stream.
  const publishedAtMs = msg.info.timestampNanos / 1_000_000;
  context.instruments.committedAfter(Math.max(0, Date.now() - publishedAtMs));
}

function retryLater(context: SettlementContext, msg: JsMsg, outcome: Outcome, delayMs: number): void {
  context.firstFailures.remember(msg.seq);
  msg.nak(delayMs);
  context.stats.retried++;
  if (outcome.kind !== 'failed') return;
  context.instruments.retried.add(1, { route: routeLabel(outcome), stage: outcome.failure.stage, reason: outcome.failure.reason });
  context.logger.info('retrying', {
    eventId: outcome.eventId,
    routeKey: formatRouteKey(outcome.routeKey),
    streamSequence: msg.seq,
    attempt: msg.info.deliveryCount,
    delayMs,
    reason: outcome.failure.reason,
    detail: outcome.failure.message,
  });
}

async function deadLetterOrRetry(context: SettlementContext, msg: JsMsg, outcome: FailedOutcome, failure: RecordFailure): Promise<void> {
  try {
    await deadLetterAndTerm(context, msg, outcome, failure);
  } catch (error) {
    // The dead letter was not stored, so the original must stay: retry it later.
    msg.nak(retryDelayMs(msg.info.deliveryCount, context.retry));
    context.stats.retried++;
    // Labelled with the failure the dead letter was for: that is what the event comes back with.
    context.instruments.retried.add(1, { route: routeLabel(outcome), stage: failure.stage, reason: failure.reason });
    context.logger.error('dead-letter publish failed; will retry', { streamSequence: msg.seq, eventId: outcome.eventId, error });
  }
}

export { settleMessage };
export type { SettlementContext };
