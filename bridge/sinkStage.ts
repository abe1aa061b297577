import type { SinkWriteRecord, SinkWriteResult, ValidatedEvent } from '../shared/contracts/index.ts';
import type { SinkTarget } from '../shared/registry/index.ts';
import { sinkIdentity } from '../shared/sinks/index.ts';
import { type CombinedAnswer, combineSinkAnswers, type SinkAnswer } from './fanOut.ts';
import type { StageInvoker } from './invoker.ts';
import { collect, invocationFailure, type StageResult } from './stageResults.ts';
import type { TargetLimiter } from './targetLimiter.ts';

/** A validated, routed record on its way to its sinks (several for a fan-out route). */
type RoutedRecord = {
  readonly id: string;
  readonly subject: string;
  readonly event: ValidatedEvent;
  readonly sinks: readonly SinkTarget[];
};

/** A target's identity; one of a kind this code does not know still gets a group of its own (sink-write refuses it). */
function targetIdentity(target: SinkTarget): string {
  return (sinkIdentity(target) as string | undefined) ?? JSON.stringify(target);
}

/**
 * The sink stage of one batch: one sink-write call per target, in parallel, each under that
 * target's concurrency limit, and one combined answer per record. Groups are keyed by the whole
 * target (two routes may write to one table with different column mappings); limits and answers
 * by the place written to. Records of a fan-out route ask sink-write to track their delivery.
 */
async function writeToSinks(records: readonly RoutedRecord[], invoker: StageInvoker, limiter: TargetLimiter): Promise<Map<string, CombinedAnswer>> {
  const groups = new Map<string, { target: SinkTarget; identity: string; records: SinkWriteRecord[] }>();
  const sinksOf = new Map<string, string[]>();
  // Records of one subject share the route's target objects: name each object once.
  const names = new Map<SinkTarget, { identity: string; key: string }>();
  for (const record of records) {
    const write: SinkWriteRecord = record.sinks.length > 1
      ? { id: record.id, subject: record.subject, event: record.event, trackDelivery: true }
      : { id: record.id, subject: record.subject, event: record.event };
    const identities: string[] = [];
    for (const target of record.sinks) {
      let name = names.get(target);
      if (name === undefined) {
        name = { identity: targetIdentity(target), key: JSON.stringify(target) };
        names.set(target, name);
      }
      identities.push(name.identity);
      const group = groups.get(name.key);
      if (group === undefined) groups.set(name.key, { target, identity: name.identity, records: [write] });
      else group.records.push(write);
    }
    sinksOf.set(record.id, identities);
  }

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

  const combined = new Map<string, CombinedAnswer>();
  for (const [id, sinks] of sinksOf) {
    const mine = answers.get(id)!;
    combined.set(id, combineSinkAnswers(sinks.map((sink) => mine.find((answer) => answer.sink === sink)!)));
  }
  return combined;
}

export { writeToSinks };
export type { RoutedRecord };
