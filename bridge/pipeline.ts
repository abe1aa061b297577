import type { Failed, RawRecord, SinkWriteRecord, SinkWriteResult, ValidatedEvent } from '../shared/contracts/index.ts';
import { FailureReason, IngestError, type RecordFailure, type Stage } from '../shared/failures/index.ts';
import { formatRouteKey, type SinkTarget } from '../shared/registry/index.ts';
import { sinkIdentity } from '../shared/sinks/index.ts';
import { combineSinkAnswers, type SinkAnswer } from './fanOut.ts';
import type { StageInvoker } from './invoker.ts';
import type { TargetLimiter } from './targetLimiter.ts';

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
 * Runs one batch through validate, route and sink-write (once per sink target) for the records
 * still alive, and returns one outcome per input record. Knows nothing of schemas; of sinks only
 * their identity, to group records and to combine a fan-out record's answers.
 */
async function runPipeline(records: readonly RawRecord[], invoker: StageInvoker, limiter: TargetLimiter): Promise<Map<string, Outcome>> {
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
    for (const { record, event } of valid) fail(record.id, failure, undefined, event);
    return outcomes;
  }

  // One group per sink target; a fan-out record joins the group of each of its sinks. Groups are
  // keyed by the whole target (two routes may write to one table with different column mappings),
  // limits and answers by the place written to (its identity).
  const groups = new Map<string, { target: SinkTarget; identity: string; records: SinkWriteRecord[] }>();
  const writes: { id: string; event: ValidatedEvent; sinks: string[] }[] = [];
  // Records of one subject share the route's target objects: name each object once.
  const names = new Map<SinkTarget, { identity: string; key: string }>();
  const nameOf = (target: SinkTarget): { identity: string; key: string } => {
    let name = names.get(target);
    if (name === undefined) {
      name = { identity: targetIdentity(target), key: JSON.stringify(target) };
      names.set(target, name);
    }
    return name;
  };
  const deadLetterSubjects = new Map<string, string>();
  for (const { record, event } of valid) {
    const result = routed.get(record.subject)!;
    if (!result.ok) {
      fail(record.id, result.failure, result.deadLetterSubject, event);
      continue;
    }
    deadLetterSubjects.set(record.id, result.deadLetterSubject);
    if (result.retryBudget !== undefined) budgets.set(record.id, result.retryBudget);
    if (!Array.isArray(result.sinks) || result.sinks.length === 0) {
      fail(record.id, new IngestError('route', FailureReason.malformedResponse, 'route answered without sinks', { retryable: true }).toFailure(), result.deadLetterSubject, event);
      continue;
    }
    const fanOut = result.sinks.length > 1;
    const write: SinkWriteRecord = fanOut ? { id: record.id, subject: record.subject, event, trackDelivery: true } : { id: record.id, subject: record.subject, event };
    const identities: string[] = [];
    for (const target of result.sinks) {
      const { identity, key } = nameOf(target);
      identities.push(identity);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { target, identity, records: [write] });
      else group.records.push(write);
    }
    writes.push({ id: record.id, event, sinks: identities });
  }
  if (writes.length === 0) return outcomes;

  // Each target's group is its own sink-write call, under that target's concurrency limit.
  const answers = new Map<string, SinkAnswer[]>();
  await Promise.all([...groups.values()].map(async ({ target, identity, records: group }) => {
    const ids = group.map((r) => r.id);
    let results: Map<string, StageResult<{ duplicate: boolean }>>;
    try {
      results = collect('sink-write', ids, await limiter.run(identity, () => invoker.sinkWrite({ target, records: group })));
    } catch (error) {
      const failure = invocationFailure(error);
      results = new Map(ids.map((id) => [id, { id, ok: false, failure }]));
    }
    for (const id of ids) {
      const list = answers.get(id) ?? [];
      list.push({ sink: identity, result: results.get(id)! as SinkWriteResult });
      answers.set(id, list);
    }
  }));

  for (const write of writes) {
    const combined = combineSinkAnswers(write.sinks.map((sink) => answers.get(write.id)!.find((answer) => answer.sink === sink)!));
    if (combined.ok) {
      outcomes.set(write.id, { kind: 'committed', duplicate: combined.duplicate, eventId: write.event.eventId, routeKey: formatRouteKey(write.event.routeKey) });
    } else {
      fail(write.id, combined.failure, deadLetterSubjects.get(write.id), write.event);
    }
  }
  return outcomes;
}

/** A target's identity as the bridge groups by it; one of a kind this code does not know still gets its own group (sink-write refuses it). */
function targetIdentity(target: SinkTarget): string {
  return (sinkIdentity(target) as string | undefined) ?? JSON.stringify(target);
}
export { runPipeline };
export type { Outcome };
