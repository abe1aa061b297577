import type { Consumer } from '@nats-io/jetstream';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { DeadLetterWriter } from '../shared/deadletters/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { type BatchRunContext, runBatch } from './batchRun.ts';
import { exitingBeforeSinkWrite } from './faults.ts';
import { FirstFailures } from './firstFailures.ts';
import { BatchFlow } from './flow.ts';
import type { StageInvoker } from './invoker.ts';
import { createIntake } from './intake.ts';
import type { BridgeInstruments } from './metrics.ts';
import { type BridgeStats, createBridgeStats } from './stats.ts';
import { TargetLimiter } from './targetLimiter.ts';

type BridgeDeps = {
  readonly config: BridgeConfig;
  readonly consumer: Consumer;
  readonly deadLetters: DeadLetterWriter;
  readonly invoker: StageInvoker;
  readonly logger: Logger;
  readonly instruments: BridgeInstruments;
};

type Bridge = {
  start(): Promise<void>;
  /** Stops pulling, finishes or returns in-flight work, and resolves when nothing is held. */
  stop(): Promise<void>;
  readonly stats: Readonly<BridgeStats>;
};

/** What running a batch needs, built once per bridge. */
function batchRunContext(deps: BridgeDeps, stats: BridgeStats): BatchRunContext {
  const { config, logger } = deps;
  const exitAt = config.faults.exitAt;
  return {
    invoker: exitAt === 'before-sink-write' ? exitingBeforeSinkWrite(deps.invoker, logger) : deps.invoker,
    sinkStage: {
      limiter: new TargetLimiter(config.sinkTargetConcurrency),
      warn: (message, fields) => logger.warn(message, fields),
      instruments: deps.instruments,
    },
    retry: config.retry,
    defaultDeadLetterSubject: config.nats.defaultDeadLetterSubject,
    deadLetters: deps.deadLetters,
    exitAt,
    firstFailures: new FirstFailures(),
    stats,
    instruments: deps.instruments,
    logger,
  };
}

/**
 * The bridge: messages in through the intake (pull, batch), batches through the flow (queue,
 * in-flight limit, drain), each batch run and settled by batchRun.ts.
 */
function createBridge(deps: BridgeDeps): Bridge {
  const { config, logger } = deps;
  const stats = createBridgeStats();
  const context = batchRunContext(deps, stats);
  const flow = new BatchFlow({
    maxInFlight: config.maxInFlight,
    run: (batch) => runBatch(context, batch),
    returnDelayMs: config.retry.baseDelayMs,
    released: (count) => intake.released(count),
    logger,
  });
  const intake = createIntake({ consumer: deps.consumer, config, onBatch: (batch) => flow.push(batch), logger, held: deps.instruments.held });
  return {
    stats,
    async start() {
      intake.start();
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
      await intake.stop();
      await flow.drain(config.drainTimeoutMs);
      logger.info('bridge stopped', { ...stats });
    },
  };
}

export { createBridge };
export type { Bridge, BridgeDeps };
