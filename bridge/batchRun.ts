import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../shared/logging/index.ts';
import { confirmDeliveries, type DeliveryCheckContext } from './confirmDeliveries.ts';
import { exitNow } from './faults.ts';
import { redeliveredIn, toRawRecord } from './messageViews.ts';
import { type Outcome, runPipeline } from './pipeline.ts';
import { routeLabel } from './routeLabel.ts';
import { settle } from './settle.ts';
import { type SettlementContext, settleMessage } from './settlement.ts';

type BatchRunContext = SettlementContext & DeliveryCheckContext;

/**
 * One batch from the stages to its settlements: the pipeline's outcome for each message,
 * settle.ts's decision on it, the delivery check of the dead letters to be, then every message
 * settled (settlement.ts).
 */
async function runBatch(context: BatchRunContext, batch: JsMsg[]): Promise<void> {
  const started = Date.now();
  const outcomes = await runPipeline(batch.map(toRawRecord), context.invoker, { ...context.sinkStage, redelivered: redeliveredIn(batch) });
  if (context.exitAt === 'after-sink-commit') exitIfAnyCommitted(context.logger, outcomes, batch.length);
  countReceived(context, outcomes, batch.length);
  const outcomeOf = (msg: JsMsg): Outcome => outcomes.get(String(msg.seq))!;
  const settlements = batch.map((msg) => settle(outcomeOf(msg), msg.info.deliveryCount, context.retry));
  await confirmDeliveries(context, batch, outcomes, settlements);
  await Promise.all(batch.map((msg, index) => settleMessage(context, msg, outcomeOf(msg), settlements[index]!)));
  context.stats.batches++;
  context.logger.debug('batch settled', { records: batch.length, ms: Date.now() - started });
}

/** Received per route, counted once the stages said which routes they know (routeLabel.ts): one add per route of the batch. */
function countReceived(context: BatchRunContext, outcomes: ReadonlyMap<string, Outcome>, records: number): void {
  context.instruments.batchSize.record(records);
  const perRoute = new Map<string, number>();
  for (const outcome of outcomes.values()) {
    const route = routeLabel(outcome);
    perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
  }
  for (const [route, count] of perRoute) context.instruments.received.add(count, { route });
}

/** FAULT_BRIDGE_EXIT_AT=after-sink-commit: dies once a sink committed some of the batch, before anything is settled. */
function exitIfAnyCommitted(logger: Logger, outcomes: ReadonlyMap<string, Outcome>, records: number): void {
  const committed = [...outcomes.values()].filter((outcome) => outcome.kind === 'committed').length;
  if (committed > 0) exitNow(logger, 'after-sink-commit', { committed, records });
}

export { runBatch };
export type { BatchRunContext };
