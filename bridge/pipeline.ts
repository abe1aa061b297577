import type { RawRecord, ValidateVerdict } from '../shared/contracts/index.ts';
import { FailureReason, IngestError, type RecordFailure, Stage } from '../shared/failures/index.ts';
import { type RouteKey, routeKeyFromSubject } from '../shared/names/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import type { StageInvoker } from './invoker.ts';
import { pinnedRecord, type RoutedRecord, type SinkStageOptions, writeToSinks } from './sinkStage.ts';
import { invokeWithinLimit } from './requestLimit.ts';
import { collect, invocationFailure, type StageResult } from './stageResults.ts';

/** What became of one record after the chain ran. */
type Outcome =
  | { readonly kind: 'committed'; readonly duplicate: boolean; readonly eventId: string; readonly routeKey: RouteKey | null }
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

/** Route keys of a batch's subjects, each parsed once; null for one that does not parse. */
function routeKeysOf(): (subject: string) => RouteKey | null {
  const keys = new Map<string, RouteKey | null>();
  return (subject) => {
    let key = keys.get(subject);
    if (key === undefined) {
      try {
        key = routeKeyFromSubject(subject, Stage.bridge);
      } catch (error) {
        if (!(error instanceof IngestError)) throw error;
        key = null;
      }
      keys.set(subject, key);
    }
    return key;
  };
}

/**
 * Runs one batch through validate, route and the sink stage (sinkStage.ts: one sink-write call
 * per target) for the records still alive, and returns one outcome per input record. Knows
 * nothing of schemas or sinks: validate answers a verdict (event id, pinned versions), and the
 * sink stage carries the record's own payload string with that verdict to sink-write.
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
  const routeKeyOf = routeKeysOf();
  type FailureContext = { deadLetterSubject?: string; eventId?: string; routeKey?: RouteKey | null; routed?: RoutedRecord };
  const fail = (id: string, failure: RecordFailure, context: FailureContext = {}): void => {
    const { deadLetterSubject, eventId, routeKey, routed } = context;
    outcomes.set(id, {
      kind: 'failed',
      failure,
      deadLetterSubject,
      eventId: eventId ?? null,
      routeKey: routeKey ?? null,
      retryBudget: budgets.get(id),
      ...(routed === undefined ? {} : { routed }),
    });
  };

  let validated: Map<string, StageResult<Omit<ValidateVerdict, 'id' | 'ok'>>>;
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

  const valid: { record: RawRecord; verdict: ValidateVerdict }[] = [];
  for (const record of records) {
    const result = validated.get(record.id)!;
    if (result.ok) valid.push({ record, verdict: result });
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
    for (const { record, verdict } of valid) fail(record.id, failure, { eventId: verdict.eventId, routeKey: routeKeyOf(record.subject) });
    return outcomes;
  }

  const writes: RoutedRecord[] = [];
  const deadLetterSubjects = new Map<string, string>();
  for (const { record, verdict } of valid) {
    const result = routed.get(record.subject)!;
    if (!result.ok) {
      fail(record.id, result.failure, { deadLetterSubject: result.deadLetterSubject, eventId: verdict.eventId, routeKey: routeKeyOf(record.subject) });
      continue;
    }
    deadLetterSubjects.set(record.id, result.deadLetterSubject);
    if (result.retryBudget !== undefined) budgets.set(record.id, result.retryBudget);
    if (!Array.isArray(result.sinks) || result.sinks.length === 0) {
      const failure = new IngestError('route', FailureReason.malformedResponse, 'route answered without sinks', { retryable: true }).toFailure();
      fail(record.id, failure, { deadLetterSubject: result.deadLetterSubject, eventId: verdict.eventId, routeKey: routeKeyOf(record.subject) });
      continue;
    }
    const redelivered = result.sinks.length > 1 && sinkStage.redelivered(record.id);
    writes.push({ write: pinnedRecord(record, verdict, redelivered), sinks: result.sinks, redelivered });
  }
  if (writes.length === 0) return outcomes;

  const answers = await writeToSinks(writes, invoker, sinkStage);
  for (const routedRecord of writes) {
    const { id, subject, eventId } = routedRecord.write;
    const answer = answers.get(id)!;
    if (answer.ok) {
      outcomes.set(id, { kind: 'committed', duplicate: answer.duplicate, eventId, routeKey: routeKeyOf(subject) });
    } else {
      fail(id, answer.failure, { deadLetterSubject: deadLetterSubjects.get(id), eventId, routeKey: routeKeyOf(subject), routed: routedRecord });
    }
  }
  return outcomes;
}

export { runPipeline };
export type { Outcome };
