import type { JsMsg } from '@nats-io/jetstream';
import type { Context, Tracer } from '@opentelemetry/api';
import type { BridgeExitStep } from '../shared/config/index.ts';
import { buildDeadLetter, type DeadLetterWriter, letterId } from '../shared/deadletters/index.ts';
import type { RecordFailure } from '../shared/failures/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { formatRouteKey } from '../shared/names/index.ts';
import type { TraceFields } from '../shared/telemetry/index.ts';
import { inDeadLetterSpan } from './deadLetterSpan.ts';
import { exitNow } from './faults.ts';
import type { FirstFailures } from './firstFailures.ts';
import type { BridgeInstruments } from './metrics.ts';
import { originalMessage } from './messageViews.ts';
import type { Outcome } from './pipeline.ts';
import { routeLabel } from './routeLabel.ts';
import type { BridgeStats } from './stats.ts';

type FailedOutcome = Extract<Outcome, { kind: 'failed' }>;

type DeadLetterContext = {
  readonly defaultDeadLetterSubject: string;
  readonly deadLetters: DeadLetterWriter;
  /** The test-only FAULT_BRIDGE_EXIT_AT step, undefined everywhere else: each place it could fire costs one comparison. */
  readonly exitAt: BridgeExitStep | undefined;
  readonly firstFailures: FirstFailures;
  readonly stats: BridgeStats;
  readonly instruments: BridgeInstruments;
  readonly logger: Logger;
  /** Set when tracing is on: each dead letter gets a span. */
  readonly tracer?: Tracer;
  /** The batch span's context (tracing on): the parent of a letter whose message carries no trace. */
  readonly batchTrace?: Context;
};

/**
 * Stores the message's dead letter, and only then terminates the message: a bridge that dies in
 * between leaves it to be redelivered and dead-lettered again, under the same letter id (the
 * original's stream and sequence), which the dead-letter stream takes as a duplicate. Throws, with
 * the message still unsettled, when the letter was not stored.
 */
async function deadLetterAndTerm(context: DeadLetterContext, msg: JsMsg, outcome: FailedOutcome, failure: RecordFailure): Promise<void> {
  const subject = outcome.deadLetterSubject ?? context.defaultDeadLetterSubject;
  if (context.tracer === undefined) return storeAndTerm(context, msg, outcome, failure, subject, {});
  const facts = {
    subject,
    letterId: letterId(msg.info.stream, msg.seq),
    failure,
    routeKey: formatRouteKey(outcome.routeKey),
    eventId: outcome.eventId,
    headers: msg.headers,
  };
  return inDeadLetterSpan(context.tracer, facts, (trace) => storeAndTerm(context, msg, outcome, failure, subject, trace), context.batchTrace);
}

async function storeAndTerm(
  context: DeadLetterContext,
  msg: JsMsg,
  outcome: FailedOutcome,
  failure: RecordFailure,
  subject: string,
  trace: TraceFields,
): Promise<void> {
  const { exitAt, logger } = context;
  const letter = buildDeadLetter(originalMessage(msg), failure, {
    routeKey: outcome.routeKey,
    eventId: outcome.eventId,
    firstFailedAt: context.firstFailures.get(msg.seq),
    trace,
  });
  const written = await context.deadLetters.publish(subject, letter);
  if (exitAt === 'after-dead-letter-publish') exitNow(logger, exitAt, { letterId: letter.id, streamSequence: msg.seq });
  context.firstFailures.forget(msg.seq);
  msg.term();
  context.stats.deadLettered++;
  context.instruments.deadLettered.add(1, { route: routeLabel(outcome), stage: failure.stage, reason: failure.reason });
  logger.warn('dead-lettered', {
    letterId: letter.id,
    eventId: outcome.eventId,
    routeKey: formatRouteKey(outcome.routeKey),
    subject: msg.subject,
    streamSequence: msg.seq,
    stage: failure.stage,
    reason: failure.reason,
    detail: failure.message,
    deadLetterSubject: subject,
    ...(written.originalStoredApart ? { originalStoredApart: true, payloadBytes: msg.data.length } : {}),
  });
}

export { deadLetterAndTerm };
export type { DeadLetterContext, FailedOutcome };
