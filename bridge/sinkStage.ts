import { circuitOf, type DeliveryRecord, type PinnedRecord, type RawRecord, type SinkWriteResponse, type ValidateVerdict } from '../shared/contracts/index.ts';
import type { SinkWriteResult } from '../shared/sinks/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import { sinkIdentity } from '../shared/sinks/index.ts';
import { type CombinedAnswer, combineSinkAnswers, type SinkAnswer } from './fanOut.ts';
import type { StageInvoker } from './invoker.ts';
import type { BridgeInstruments } from './metrics.ts';
import { invokeWithinLimit } from './requestLimit.ts';
import { collect, invocationFailure, type StageResult } from './stageResults.ts';
import type { TargetLimiter } from './targetLimiter.ts';

/** A validated, routed record on its way to its sinks (several for a fan-out route). */
type RoutedRecord = {
  /** The record as every sink-write call for it carries it, built once (pinnedRecord). */
  readonly write: PinnedRecord;
  readonly sinks: readonly SinkTarget[];
  /** Delivered before (a redelivery or a dead-letter replay) to a fan-out route: some of its sinks may have it already. */
  readonly redelivered: boolean;
};

/**
 * The sink-write record of a validated record: the payload string (and stage headers) the bridge
 * built for validate (not decoded, not copied) with validate's event id and pinned versions, the same object for
 * every target and every split request. `tracked` for a fan-out record that comes again.
 */
function pinnedRecord(record: RawRecord, verdict: ValidateVerdict, tracked: boolean): PinnedRecord {
  const { id, subject, payload, publishedAtMs, headers } = record;
  const { eventId, reader, writer } = verdict;
  const pinned: PinnedRecord = tracked
    ? { id, subject, payload, publishedAtMs, eventId, reader, writer, trackDelivery: true }
    : { id, subject, payload, publishedAtMs, eventId, reader, writer };
  // The CloudEvent's headers, when it has any: sink-write reads the event as validate did.
  return headers === undefined ? pinned : { ...pinned, headers };
}

/** What sink-write needs to record or check a delivery: the event id, no payload. */
function deliveryRecord({ id, subject, eventId }: PinnedRecord): DeliveryRecord {
  return { id, subject, eventId };
}

type SinkStageOptions = {
  readonly limiter: TargetLimiter;
  /** Told when delivery state could not be saved (the next retry then re-drives those sinks). */
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
  /** Where per-target answers and circuit states are counted; none in unit tests of the stage's logic. */
  readonly instruments?: Pick<BridgeInstruments, 'sinkRecords' | 'circuit'>;
};

type Group = { readonly target: SinkTarget; readonly identity: string; readonly records: PinnedRecord[] };

/** A target's identity; one of a kind this code does not know still gets a group of its own (sink-write refuses it). */
function targetIdentity(target: SinkTarget): string {
  return (sinkIdentity(target) as string | undefined) ?? JSON.stringify(target);
}

/**
 * The sink stage of one batch: one sink-write call per target, in parallel, each under that
 * target's concurrency limit, and one combined answer per record. Groups are keyed by the whole
 * target (two routes may write to one table with different column mappings); limits and answers
 * by the place written to.
 *
 * Delivery state of fan-out records costs nothing while every sink succeeds: a first delivery is
 * written untracked; when some of its sinks fail, the sinks that did take it are recorded before
 * the record is retried or dead-lettered, and a record that comes again is written tracked, so
 * only the sinks without the event are called.
 */
async function writeToSinks(records: readonly RoutedRecord[], invoker: StageInvoker, options: SinkStageOptions): Promise<Map<string, CombinedAnswer>> {
  const groups = new Map<string, Group>();
  const sinksOf = new Map<string, { identity: string; key: string }[]>();
  // Records of one subject share the route's target objects: name each object once.
  const named = new Map<SinkTarget, { identity: string; key: string }>();
  for (const record of records) {
    const { write } = record;
    const names: { identity: string; key: string }[] = [];
    for (const target of record.sinks) {
      let name = named.get(target);
      if (name === undefined) {
        name = { identity: targetIdentity(target), key: JSON.stringify(target) };
        named.set(target, name);
      }
      names.push(name);
      const group = groups.get(name.key);
      if (group === undefined) groups.set(name.key, { target, identity: name.identity, records: [write] });
      else group.records.push(write);
    }
    sinksOf.set(write.id, names);
  }

  const answers = new Map<string, SinkAnswer[]>();
  await Promise.all(
    [...groups.values()].map(async ({ target, identity, records: group }) => {
      const ids = group.map((r) => r.id);
      let results: Map<string, StageResult<{ duplicate: boolean }>>;
      try {
        results = collect(
          'sink-write',
          ids,
          await options.limiter.run(identity, () =>
            invokeWithinLimit(group, async (part) => observeCircuit(identity, await invoker.sinkWrite({ target, records: part }), options)),
          ),
        );
      } catch (error) {
        const failure = invocationFailure(error);
        results = new Map(ids.map((id) => [id, { id, ok: false, failure }]));
      }
      if (options.instruments !== undefined) countSinkRecords(options.instruments, identity, results.values());
      for (const id of ids) {
        const list = answers.get(id) ?? [];
        list.push({ sink: identity, result: results.get(id)! as SinkWriteResult });
        answers.set(id, list);
      }
    }),
  );

  const combined = new Map<string, CombinedAnswer>();
  // Per target: the first-delivery fan-out records it took whose other sinks failed.
  const reached = new Map<string, DeliveryRecord[]>();
  for (const record of records) {
    const { id } = record.write;
    const sinks = sinksOf.get(id)!;
    const mine = answers.get(id)!;
    const ordered = sinks.map((sink) => mine.find((answer) => answer.sink === sink.identity)!);
    const answer = combineSinkAnswers(ordered);
    combined.set(id, answer);
    if (answer.ok || sinks.length < 2 || record.redelivered) continue;
    const delivery = deliveryRecord(record.write);
    sinks.forEach((sink, index) => {
      if (!ordered[index]!.result.ok) return;
      const list = reached.get(sink.key) ?? [];
      list.push(delivery);
      reached.set(sink.key, list);
    });
  }
  await Promise.all([...reached].map(([key, list]) => recordDeliveries(groups.get(key)!, list, invoker, options)));
  return combined;
}

/** Records the circuit state a sink-write answer reports for its target (an answer without one says nothing). */
function observeCircuit(identity: string, response: SinkWriteResponse, options: SinkStageOptions): SinkWriteResponse {
  const circuit = circuitOf(response);
  if (circuit !== undefined) options.instruments?.circuit(identity, circuit);
  return response;
}

/** Per target, what became of each record sent to it: one add per outcome and reason, not per record. */
function countSinkRecords(instruments: Pick<BridgeInstruments, 'sinkRecords'>, sink: string, results: Iterable<StageResult<{ duplicate: boolean }>>): void {
  const counts = new Map<string, { outcome: string; reason?: string; count: number }>();
  for (const result of results) {
    const outcome = result.ok ? (result.duplicate ? 'duplicate' : 'committed') : 'failed';
    const reason = result.ok ? undefined : result.failure.reason;
    const key = `${outcome}/${reason ?? ''}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { outcome, reason, count: 1 });
    else entry.count++;
  }
  for (const { outcome, reason, count } of counts.values())
    instruments.sinkRecords.add(count, reason === undefined ? { sink, outcome } : { sink, outcome, reason });
}

/**
 * Tells sink-write that these events reached the group's target, so their retry skips it. When
 * that fails the retry calls the target again, which its idempotency absorbs: worth a warning,
 * not a failure of the records.
 */
async function recordDeliveries(group: Group, records: DeliveryRecord[], invoker: StageInvoker, options: SinkStageOptions): Promise<void> {
  const ids = records.map((record) => record.id);
  try {
    const results = collect(
      'sink-write',
      ids,
      await invokeWithinLimit(records, (part) => invoker.sinkWrite({ target: group.target, records: part, recordDeliveryOnly: true })),
    );
    const failed = [...results.values()].filter((result) => !result.ok);
    if (failed.length > 0)
      options.warn('fan-out delivery state not saved; the retry may call this sink again', { sink: group.identity, records: failed.length });
  } catch (error) {
    invocationFailure(error); // rethrows anything that is not a failed invoke: a bug stays loud
    options.warn('fan-out delivery state not saved; the retry may call this sink again', { sink: group.identity, records: ids.length, error });
  }
}

export { deliveryRecord, pinnedRecord, targetIdentity, writeToSinks };
export type { RoutedRecord, SinkStageOptions };
