import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../shared/logging/index.ts';
import { formatRouteKey } from '../shared/names/index.ts';
import { type DeadLetterCandidate, findDelivered } from './deliveryCheck.ts';
import type { StageInvoker } from './invoker.ts';
import type { Outcome } from './pipeline.ts';
import type { Settlement } from './settle.ts';
import type { SinkStageOptions } from './sinkStage.ts';

type DeliveryCheckContext = {
  readonly invoker: StageInvoker;
  readonly sinkStage: SinkStageOptions;
  readonly logger: Logger;
};

/**
 * Sink-stage failures about to become dead letters whose sinks hold the event after all (a
 * write that committed but whose answer was lost) are acknowledged as delivered instead.
 * Changes `settlements` in place, at the batch's indexes.
 */
async function confirmDeliveries(
  context: DeliveryCheckContext,
  batch: readonly JsMsg[],
  outcomes: ReadonlyMap<string, Outcome>,
  settlements: Settlement[],
): Promise<void> {
  const candidates: DeadLetterCandidate[] = [];
  batch.forEach((msg, index) => {
    const outcome = outcomes.get(String(msg.seq))!;
    if (settlements[index]!.action === 'dead-letter' && outcome.kind === 'failed' && outcome.routed !== undefined) {
      candidates.push({ routed: outcome.routed, failure: outcome.failure });
    }
  });
  if (candidates.length === 0) return;
  const delivered = await findDelivered(candidates, context.invoker, context.sinkStage);
  batch.forEach((msg, index) => {
    const outcome = outcomes.get(String(msg.seq))!;
    if (!delivered.has(String(msg.seq)) || outcome.kind !== 'failed') return;
    settlements[index] = { action: 'ack' };
    context.logger.info('settled as delivered: its sinks already hold the event, whose last write answer was lost', {
      eventId: outcome.eventId,
      routeKey: formatRouteKey(outcome.routeKey),
      streamSequence: msg.seq,
      attempt: msg.info.deliveryCount,
      reason: outcome.failure.reason,
    });
  });
}

export { confirmDeliveries };
export type { DeliveryCheckContext };
