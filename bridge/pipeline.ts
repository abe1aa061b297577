import type { RawRecord } from '../shared/contracts/index.ts';
import type { ValidatedEvent } from '../shared/sinks/index.ts';
import { FailureReason, IngestError, type RecordFailure } from '../shared/failures/index.ts';
import type { RouteKey } from '../shared/names/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import type { StageInvoker } from './invoker.ts';
import { type RoutedRecord, type SinkStageOptions, writeToSinks } from './sinkStage.ts';
import { invokeWithinLimit } from './requestLimit.ts';
import { collect, invocationFailure, type StageResult } from './stageResults.ts';

/** What became of one record after the chain ran. */
type Outcome =
  | { readonly kind: 'committed'; readonly duplicate: boolean; readonly eventId: string; readonly routeKey: RouteKey }
  | {
      readonly kind: 'failed';
      readonly failure: RecordFailure;
      readonly deadLetterSubject: string | undefined;
      readonly eventId: string | null;
      readonly routeKey: RouteKey | null;
      /** The route's retry budget, when the route was known. */
      readonly retryBudget: number | undefined;
      /**
       * Set when the record failed in the sink stage: what was written where, so the bridge can ask
       * the sinks whether a write committed after all before it dead-letters the record.
       */
      readonly routed?: RoutedRecord;
    };

/**
 * Runs one batch through validate, route and the sink stage (sinkStage.ts: one sink-write call
 * per target) for the records still alive, and returns one outcome per input record. Knows
 * nothing of schemas or sinks.
 */
async function runPipeline(
  records: readonly RawRecord[],
  invoker: StageInvoker,
  sinkStage: SinkStageOptions & {
    /** Whether a record was delivered before (a redelivery or a dead-letter replay); asked for fan-out records only. */
    readonly redelivered: (id: string) => boolean;
  },
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const budgets = new Map<string, number>();
  type FailureContext = { deadLetterSubject?: string; event?: ValidatedEvent; routeKey?: RouteKey; routed?: RoutedRecord };
  const fail = (id: string, failure: RecordFailure, context: FailureContext = {}): void => {
    const { deadLetterSubject, event, routeKey, routed } = context;
    outcomes.set(id, {
      kind: 'failed',
      failure,
      deadLetterSubject,
      eventId: event?.eventId ?? null,
      routeKey: event?.routeKey ?? routeKey ?? null,
      retryBudget: budgets.get(id),
      ...(routed === undefined ? {} : { routed }),
    });
  };

  let validated: Map<string, StageResult<{ event: ValidatedEvent }>>;
  try {
    validated = collect(
      'validate',
      records.map((r) => r.id),
      await invokeWithinLimit(records, (part) => invoker.validate({ records: part })),
    );
  } catch (error) {
    const failure = invocationFailure(error);
    for (const record of records) fail(record.id, failure);
    return outcomes;
  }

  const valid: { record: RawRecord; event: ValidatedEvent }[] = [];
  for (const record of records) {
    const result = validated.get(record.id)!;
    if (result.ok) valid.push({ record, event: result.event });
    else fail(record.id, result.failure, { deadLetterSubject: result.deadLetterSubject, routeKey: result.routeKey });
  }
  if (valid.length === 0) return outcomes;

  let routed;
  try {
    // A route is a property of the subject, so route gets each distinct subject once (its id is
    // the subject): a batch of 500 events on one subject costs one lookup and one answer, not 500.
    const subjects = [...new Set(valid.map(({ record }) => record.subject))];
    const request = { records: subjects.map((subject) => ({ id: subject, subject })) };
    routed = collect<{ sinks: readonly SinkTarget[]; deadLetterSubject: string; retryBudget?: number }>(
      'route',
      request.records.map((r) => r.id),
      await invoker.route(request),
    );
  } catch (error) {
    const failure = invocationFailure(error);
    for (const { record, event } of valid) fail(record.id, failure, { event });
    return outcomes;
  }

  const writes: RoutedRecord[] = [];
  const deadLetterSubjects = new Map<string, string>();
  for (const { record, event } of valid) {
    const result = routed.get(record.subject)!;
    if (!result.ok) {
      fail(record.id, result.failure, { deadLetterSubject: result.deadLetterSubject, event });
      continue;
    }
    deadLetterSubjects.set(record.id, result.deadLetterSubject);
    if (result.retryBudget !== undefined) budgets.set(record.id, result.retryBudget);
    if (!Array.isArray(result.sinks) || result.sinks.length === 0) {
      const failure = new IngestError('route', FailureReason.malformedResponse, 'route answered without sinks', { retryable: true }).toFailure();
      fail(record.id, failure, { deadLetterSubject: result.deadLetterSubject, event });
      continue;
    }
    writes.push({
      id: record.id,
      subject: record.subject,
      event,
      sinks: result.sinks,
      redelivered: result.sinks.length > 1 && sinkStage.redelivered(record.id),
    });
  }
  if (writes.length === 0) return outcomes;

  const answers = await writeToSinks(writes, invoker, sinkStage);
  for (const write of writes) {
    const answer = answers.get(write.id)!;
    if (answer.ok) {
      outcomes.set(write.id, { kind: 'committed', duplicate: answer.duplicate, eventId: write.event.eventId, routeKey: write.event.routeKey });
    } else {
      fail(write.id, answer.failure, { deadLetterSubject: deadLetterSubjects.get(write.id), event: write.event, routed: write });
    }
  }
  return outcomes;
}

export { runPipeline };
export type { Outcome };
