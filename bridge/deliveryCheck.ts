import type { DeliveryRecord, SinkCheckResult } from '../shared/contracts/index.ts';
import type { RecordFailure } from '../shared/failures/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import type { StageInvoker } from './invoker.ts';
import { invokeWithinLimit } from './requestLimit.ts';
import { deliveryRecord, type RoutedRecord, type SinkStageOptions, targetIdentity } from './sinkStage.ts';
import { collect, invocationFailure, type StageResult } from './stageResults.ts';

/** A record the bridge is about to dead-letter after its sink writes failed. */
type DeadLetterCandidate = { readonly routed: RoutedRecord; readonly failure: RecordFailure };

/** The targets a record still lacked as far as the bridge knows: all of them, or the failed ones of a fan-out. */
function unconfirmedTargets({ routed, failure }: DeadLetterCandidate): SinkTarget[] {
  if (failure.sinks === undefined) return [...routed.sinks];
  const reached = new Set(failure.sinks.filter((sink) => sink.delivered).map((sink) => sink.sink));
  return routed.sinks.filter((target) => !reached.has(targetIdentity(target)));
}

/**
 * Of records about to be dead-lettered after sink-stage failures, the ids of those that every sink
 * already holds. A write can commit and its answer still be lost (a timeout, a function that died
 * after the commit); when that happens on the last attempt, the event is a row, and a dead letter
 * for it would double it. So before dead-lettering, the bridge asks each target (sink-write with
 * `checkDeliveryOnly`), and settles an event every target has as delivered. A target that cannot
 * tell (an HTTP endpoint with no delivery state) or cannot be asked leaves the event dead-lettered,
 * as before: a replay of it is absorbed by the sink's idempotency.
 */
async function findDelivered(candidates: readonly DeadLetterCandidate[], invoker: StageInvoker, options: SinkStageOptions): Promise<Set<string>> {
  const groups = new Map<string, { target: SinkTarget; identity: string; records: DeliveryRecord[] }>();
  const asked = new Map<string, number>();
  for (const candidate of candidates) {
    const targets = unconfirmedTargets(candidate);
    if (targets.length === 0) continue;
    const delivery = deliveryRecord(candidate.routed.write);
    asked.set(delivery.id, targets.length);
    for (const target of targets) {
      const key = JSON.stringify(target);
      const group = groups.get(key) ?? { target, identity: targetIdentity(target), records: [] };
      group.records.push(delivery);
      groups.set(key, group);
    }
  }

  const confirmations = new Map<string, number>();
  await Promise.all(
    [...groups.values()].map(async ({ target, identity, records }) => {
      const ids = records.map((record) => record.id);
      let results: Map<string, StageResult<Extract<SinkCheckResult, { ok: true }>>>;
      try {
        const response = await options.limiter.run(identity, () =>
          invokeWithinLimit(records, (part) => invoker.checkDelivery({ target, records: part, checkDeliveryOnly: true })),
        );
        results = collect('sink-write', ids, response);
      } catch (error) {
        const failure = invocationFailure(error);
        options.warn('could not ask a sink whether it has events before dead-lettering them; they are dead-lettered', {
          sink: identity,
          records: ids.length,
          reason: failure.reason,
          detail: failure.message,
        });
        return;
      }
      for (const [id, result] of results) {
        if (result.ok && result.delivered === 'yes') confirmations.set(id, (confirmations.get(id) ?? 0) + 1);
      }
    }),
  );
  return new Set([...asked].filter(([id, wanted]) => confirmations.get(id) === wanted).map(([id]) => id));
}

export { findDelivered };
export type { DeadLetterCandidate };
