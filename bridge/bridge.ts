import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { DeadLetterWriter } from '../shared/deadletters/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { Batcher } from './batcher.ts';
import { type BatchRunContext, runBatch } from './batchRun.ts';
import { exitingBeforeSinkWrite } from './faults.ts';
import { FirstFailures } from './firstFailures.ts';
import type { StageInvoker } from './invoker.ts';
import { requestBytes } from './messageViews.ts';
import { createPuller } from './puller.ts';
import { type BridgeStats, createBridgeStats } from './stats.ts';
import { TargetLimiter } from './targetLimiter.ts';

type BridgeDeps = {
  readonly config: BridgeConfig;
  readonly consumer: Consumer;
  readonly deadLetters: DeadLetterWriter;
  readonly invoker: StageInvoker;
  readonly logger: Logger;
};

type Bridge = {
  start(): Promise<void>;
  /** Stops pulling, finishes or returns in-flight work, and resolves when nothing is held. */
  stop(): Promise<void>;
  readonly stats: Readonly<BridgeStats>;
};

// Short enough that a replica notices a deleted consumer or a moved server soon; a pull that
// ends empty is simply issued again.
const PULL_EXPIRES_MS = 5000;

/** What running a batch needs, built once per bridge. */
function batchRunContext(deps: BridgeDeps, stats: BridgeStats): BatchRunContext {
  const { config, logger } = deps;
  const exitAt = config.faults.exitAt;
  return {
    invoker: exitAt === 'before-sink-write' ? exitingBeforeSinkWrite(deps.invoker, logger) : deps.invoker,
    sinkStage: { limiter: new TargetLimiter(config.sinkTargetConcurrency), warn: (message, fields) => logger.warn(message, fields) },
    retry: config.retry,
    defaultDeadLetterSubject: config.nats.defaultDeadLetterSubject,
    deadLetters: deps.deadLetters,
    exitAt,
    firstFailures: new FirstFailures(),
    stats,
    logger,
  };
}

function createBridge(deps: BridgeDeps): Bridge {
  const { config, consumer, logger } = deps;
  const stats = createBridgeStats();
  const context = batchRunContext(deps, stats);
  const queue: JsMsg[][] = [];
  let inFlight = 0;
  // Messages received and not yet settled: in the batcher, queued or in flight.
  let received = 0;
  let released = 0;
  let stopping = false;
  const puller = createPuller({
    consumer,
    maxHeld: config.maxHeld,
    held: () => received - released,
    minPull: Math.min(config.batch.maxRecords, config.maxHeld),
    expiresMs: PULL_EXPIRES_MS,
    onMessage: (msg) => {
      if (stopping) {
        msg.nak();
        return;
      }
      received++;
      batcher.add(msg, requestBytes(msg));
    },
    logger,
  });
  let idle: (() => void) | undefined;

  const batcher = new Batcher<JsMsg>(config.batch, (batch) => {
    queue.push(batch);
    pump();
  });

  function pump(): void {
    while (inFlight < config.maxInFlight && queue.length > 0) {
      const batch = queue.shift()!;
      inFlight++;
      runBatch(context, batch)
        .catch((error: unknown) => {
          // Only a bug gets here; return the messages so nothing waits for ack_wait.
          logger.error('batch failed unexpectedly; returning messages', { error, records: batch.length });
          for (const msg of batch) msg.nak(config.retry.baseDelayMs);
        })
        .finally(() => {
          inFlight--;
          released += batch.length;
          puller.roomFreed();
          pump();
          if (inFlight === 0 && queue.length === 0) idle?.();
        });
    }
  }

  return {
    stats,
    async start() {
      puller.start();
      logger.info('bridge consuming', {
        stream: config.nats.ingest.name,
        consumer: config.nats.consumer,
        batch: config.batch,
        maxInFlight: config.maxInFlight,
        maxHeld: config.maxHeld,
        sinkTargetConcurrency: config.sinkTargetConcurrency,
      });
    },
    async stop() {
      stopping = true;
      await puller.stop();
      batcher.flush();
      if (inFlight > 0 || queue.length > 0) {
        const drained = new Promise<void>((resolve) => {
          idle = resolve;
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), config.drainTimeoutMs);
        });
        const result = await Promise.race([drained, timedOut]);
        clearTimeout(timer);
        if (result === 'timeout') {
          // Hand queued work back at once so another replica takes it without waiting for ack_wait.
          for (const batch of queue.splice(0)) for (const msg of batch) msg.nak();
          logger.warn('drain timed out; in-flight batches will be redelivered', { inFlight });
        }
      }
      logger.info('bridge stopped', { ...stats });
    },
  };
}

export { createBridge };
export type { Bridge, BridgeDeps };
