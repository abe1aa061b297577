import type { Failed, RawRecord, SinkWriteRecord, ValidatedEvent } from '../shared/contracts/index.ts';
import { FailureReason, IngestError, type RecordFailure, type Stage } from '../shared/failures/index.ts';
import { formatRouteKey } from '../shared/registry/index.ts';
import type { StageInvoker } from './invoker.ts';

/** What became of one record after the chain ran. */
type Outcome =
  | { readonly kind: 'committed'; readonly duplicate: boolean; readonly eventId: string; readonly routeKey: string }
  | {
      readonly kind: 'failed';
      readonly failure: RecordFailure;
      readonly deadLetterSubject: string | undefined;
      readonly eventId: string | null;
      readonly routeKey: string | null;
      /** The route's retry budget, when the route was known. */
      readonly retryBudget: number | undefined;
    };

type StageResult<T> = ({ readonly id: string; readonly ok: true } & T) | Failed;

/**
 * Matches a function's results back to the records it was given. A record the function left out,
 * or answered twice, is a failed (retryable) invocation for that record, never a silent drop.
 */
function collect<T>(stage: Stage, ids: readonly string[], results: unknown): Map<string, StageResult<T>> {
  const byId = new Map<string, StageResult<T>>();
  const wanted = new Set(ids);
  const list = typeof results === 'object' && results !== null && Array.isArray((results as { results?: unknown }).results)
    ? ((results as { results: StageResult<T>[] }).results)
    : [];
  for (const result of list) {
    if (wanted.has(result.id) && !byId.has(result.id)) byId.set(result.id, result);
  }
  for (const id of ids) {
    if (!byId.has(id)) {
      const failure = new IngestError(stage, FailureReason.malformedResponse, `${stage} returned no result for record ${id}`, {
        retryable: true,
      });
      byId.set(id, { id, ok: false, failure: failure.toFailure() });
    }
  }
  return byId;
}

function invocationFailure(error: unknown): RecordFailure {
  if (error instanceof IngestError) return error.toFailure();
  throw error;
}

/**
 * Runs one batch through validate, route and sink-write, each called once for the records still
 * alive, and returns one outcome per input record. Knows nothing of schemas or sinks.
 */
async function runPipeline(records: readonly RawRecord[], invoker: StageInvoker): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const budgets = new Map<string, number>();
  const fail = (id: string, failure: RecordFailure, deadLetterSubject?: string, event?: ValidatedEvent, routeKey?: string): void => {
    outcomes.set(id, {
      kind: 'failed',
      failure,
      deadLetterSubject,
      eventId: event?.eventId ?? null,
      routeKey: event ? formatRouteKey(event.routeKey) : (routeKey ?? null),
      retryBudget: budgets.get(id),
    });
  };

  let validated: Map<string, StageResult<{ event: ValidatedEvent }>>;
  try {
    validated = collect('validate', records.map((r) => r.id), await invoker.validate({ records }));
  } catch (error) {
    const failure = invocationFailure(error);
    for (const record of records) fail(record.id, failure);
    return outcomes;
  }

  const valid: { record: RawRecord; event: ValidatedEvent }[] = [];
  for (const record of records) {
    const result = validated.get(record.id)!;
    if (result.ok) valid.push({ record, event: result.event });
    else fail(record.id, result.failure, result.deadLetterSubject, undefined, result.routeKey);
  }
  if (valid.length === 0) return outcomes;

  let routed;
  try {
    const request = { records: valid.map(({ record }) => ({ id: record.id, subject: record.subject })) };
    routed = collect<{ sink: SinkWriteRecord['sink']; deadLetterSubject: string; retryBudget?: number }>(
      'route',
      request.records.map((r) => r.id),
      await invoker.route(request),
    );
  } catch (error) {
    const failure = invocationFailure(error);
    for (const { record, event } of valid) fail(record.id, failure, undefined, event);
    return outcomes;
  }

  const writes: SinkWriteRecord[] = [];
  const deadLetterSubjects = new Map<string, string>();
  const events = new Map<string, ValidatedEvent>();
  for (const { record, event } of valid) {
    const result = routed.get(record.id)!;
    events.set(record.id, event);
    if (!result.ok) {
      fail(record.id, result.failure, result.deadLetterSubject, event);
      continue;
    }
    deadLetterSubjects.set(record.id, result.deadLetterSubject);
    if (result.retryBudget !== undefined) budgets.set(record.id, result.retryBudget);
    writes.push({ id: record.id, subject: record.subject, sink: result.sink, event });
  }
  if (writes.length === 0) return outcomes;

  try {
    const written = collect<{ duplicate: boolean }>('sink-write', writes.map((w) => w.id), await invoker.sinkWrite({ records: writes }));
    for (const write of writes) {
      const result = written.get(write.id)!;
      if (result.ok) {
        outcomes.set(write.id, {
          kind: 'committed',
          duplicate: result.duplicate,
          eventId: write.event.eventId,
          routeKey: formatRouteKey(write.event.routeKey),
        });
      } else {
        fail(write.id, result.failure, deadLetterSubjects.get(write.id), write.event);
      }
    }
  } catch (error) {
    const failure = invocationFailure(error);
    for (const write of writes) fail(write.id, failure, deadLetterSubjects.get(write.id), events.get(write.id));
  }
  return outcomes;
}

export { runPipeline };
export type { Outcome };
