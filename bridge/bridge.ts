import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { DeadLetterWriter } from '../shared/deadletters/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { TRACING_OFF, type Tracing } from '../shared/telemetry/index.ts';
import { type BatchRunContext, runBatch } from './batchRun.ts';
import { exitingBeforeSinkWrite } from './faults.ts';
import { FirstFailures } from './firstFailures.ts';
import { BatchFlow } from './flow.ts';
import type { StageInvoker } from './invoker.ts';
import { createIntake } from './intake.ts';
import type { BridgeInstruments } from './metrics.ts';
import { type BridgeStats, createBridgeStats } from './stats.ts';
import { TargetLimiter } from './targetLimiter.ts';
import { tracedBatches } from './tracedBatch.ts';
import { tracedInvoker } from './tracedInvoker.ts';

type BridgeDeps = {
  readonly config: BridgeConfig;
  readonly consumer: Consumer;
  readonly deadLetters: DeadLetterWriter;
  readonly invoker: StageInvoker;
  readonly logger: Logger;
  /** Spans for batches, invokes and dead letters when on; off (no spans, no header reads) by default. */
  readonly tracing?: Tracing;
  readonly instruments: BridgeInstruments;
};

type Bridge = {
  start(): Promise<void>;
  /** Stops pulling, finishes or returns in-flight work, and resolves when nothing is held. */
  stop(): Promise<void>;
  readonly stats: Readonly<BridgeStats>;
};

/** The invoker a batch uses: the test-only exit fault point around it when set. */
function batchInvoker(deps: BridgeDeps, invoker: StageInvoker): StageInvoker {
  return deps.config.faults.exitAt === 'before-sink-write' ? exitingBeforeSinkWrite(invoker, deps.logger) : invoker;
}

/** What running a batch needs, built once per bridge. */
function batchRunContext(deps: BridgeDeps, stats: BridgeStats): BatchRunContext {
  const { config, logger } = deps;
  const exitAt = config.faults.exitAt;
  const tracing = deps.tracing ?? TRACING_OFF;
  return {
    invoker: batchInvoker(deps, deps.invoker),
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
    ...(tracing.enabled ? { tracer: tracing.tracer } : {}),
  };
}

/**
 * How a batch runs: as it is, or with tracing on in its batch span (tracedBatch.ts), with an
 * invoker that traces each invoke under that span and the span's context for its dead letters.
 */
function batchRunner(deps: BridgeDeps, context: BatchRunContext): (batch: JsMsg[]) => Promise<void> {
  const tracing = deps.tracing ?? TRACING_OFF;
  if (!tracing.enabled) return (batch) => runBatch(context, batch);
  return tracedBatches(tracing.tracer, deps.config.nats.consumer, (batch, batchTrace) =>
    runBatch({ ...context, invoker: batchInvoker(deps, tracedInvoker(deps.invoker, tracing.tracer, batchTrace)), batchTrace }, batch),
  );
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
    run: batchRunner(deps, context),
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
