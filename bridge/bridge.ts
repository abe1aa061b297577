import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { RawRecord } from '../shared/contracts/index.ts';
import type { RecordFailure } from '../shared/failures/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { buildDeadLetter, type DeadLetterWriter, type OriginalMessage, REPLAY_COUNT_HEADER } from '../shared/deadletters/index.ts';
import { formatRouteKey } from '../shared/names/index.ts';
import { headersToMap } from '../shared/nats/index.ts';
import { Batcher } from './batcher.ts';
import { retryDelayMs } from './backoff.ts';
import { type DeadLetterCandidate, findDelivered } from './deliveryCheck.ts';
import { exitingBeforeSinkWrite, exitNow } from './faults.ts';
import type { StageInvoker } from './invoker.ts';
import { type Outcome, runPipeline } from './pipeline.ts';
import { createPuller } from './puller.ts';
import { type Settlement, settle } from './settle.ts';
import { TargetLimiter } from './targetLimiter.ts';

type BridgeDeps = {
  readonly config: BridgeConfig;
  readonly consumer: Consumer;
  readonly deadLetters: DeadLetterWriter;
  readonly invoker: StageInvoker;
  readonly logger: Logger;
};

type BridgeStats = {
  committed: number;
  duplicates: number;
  deadLettered: number;
  retried: number;
  batches: number;
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

// Approximate bytes a record adds to an invoke request: base64 payload plus JSON framing.
function requestBytes(msg: JsMsg): number {
  return Math.ceil((msg.data.length * 4) / 3) + msg.subject.length + 128;
}

function toRawRecord(msg: JsMsg): RawRecord {
  const data = msg.data;
  return {
    id: String(msg.seq),
    subject: msg.subject,
    // A view over the message's bytes, not a copy (Buffer.from(Uint8Array) copies): base64 reads them once.
    payload: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    // The timestamp is already parsed with the delivery info; msg.time would build a Date from it.
    publishedAtMs: Math.floor(msg.info.timestampNanos / 1_000_000),
  };
}

type FailedOutcome = Extract<Outcome, { kind: 'failed' }>;

function original(msg: JsMsg): OriginalMessage {
  return {
    subject: msg.subject,
    headers: headersToMap(msg.headers),
    data: msg.data,
    stream: msg.info.stream,
    seq: msg.seq,
    time: msg.time,
    deliveries: msg.info.deliveryCount,
  };
}

function createBridge(deps: BridgeDeps): Bridge {
  const { config, consumer, deadLetters, logger } = deps;
  // Test-only fault point, undefined everywhere else: each place it could fire costs one comparison.
  const exitAt = config.faults.exitAt;
  const invoker = exitAt === 'before-sink-write' ? exitingBeforeSinkWrite(deps.invoker, logger) : deps.invoker;
  const stats: BridgeStats = { committed: 0, duplicates: 0, deadLettered: 0, retried: 0, batches: 0 };
  const queue: JsMsg[][] = [];
  // First failure time per stream sequence, for dead letters of events that were retried.
  // Bounded: under a long outage the oldest entries go first (the field is best effort).
  const firstFailures = new Map<number, Date>();
  const rememberFailure = (seq: number): void => {
    if (firstFailures.has(seq)) return;
    if (firstFailures.size >= 100_000) firstFailures.delete(firstFailures.keys().next().value as number);
    firstFailures.set(seq, new Date());
  };
  const limiter = new TargetLimiter(config.sinkTargetConcurrency);
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

  async function deadLetter(msg: JsMsg, outcome: FailedOutcome, failure: RecordFailure): Promise<void> {
    const subject = outcome.deadLetterSubject ?? config.nats.defaultDeadLetterSubject;
    const letter = buildDeadLetter(original(msg), failure, {
      routeKey: outcome.routeKey,
      eventId: outcome.eventId,
      firstFailedAt: firstFailures.get(msg.seq),
    });
    const written = await deadLetters.publish(subject, letter);
    if (exitAt === 'after-dead-letter-publish') exitNow(logger, exitAt, { letterId: letter.id, streamSequence: msg.seq });
    firstFailures.delete(msg.seq);
    msg.term();
    stats.deadLettered++;
    logger.warn('dead-lettered', {
      letterId: letter.id,
      eventId: outcome.eventId,
      routeKey: formatRouteKey(outcome.routeKey),
      subject: msg.subject,
      streamSequence: msg.seq,
      stage: failure.stage,
      reason: failure.reason,
      detail: failure.message,
      deadLetterSubject: subject,
      ...(written.originalStoredApart ? { originalStoredApart: true, payloadBytes: msg.data.length } : {}),
    });
  }

  /**
   * Sink-stage failures about to become dead letters whose sinks hold the event after all (a
   * write that committed but whose answer was lost) are acknowledged as delivered instead.
   */
  async function confirmDeliveries(batch: readonly JsMsg[], outcomes: ReadonlyMap<string, Outcome>, settlements: Settlement[]): Promise<void> {
    const candidates: DeadLetterCandidate[] = [];
    batch.forEach((msg, index) => {
      const outcome = outcomes.get(String(msg.seq))!;
      if (settlements[index]!.action === 'dead-letter' && outcome.kind === 'failed' && outcome.routed !== undefined) {
        candidates.push({ routed: outcome.routed, failure: outcome.failure });
      }
    });
    if (candidates.length === 0) return;
    const delivered = await findDelivered(candidates, invoker, { limiter, warn: (message, fields) => logger.warn(message, fields) });
    batch.forEach((msg, index) => {
      const outcome = outcomes.get(String(msg.seq))!;
      if (!delivered.has(String(msg.seq)) || outcome.kind !== 'failed') return;
      settlements[index] = { action: 'ack' };
      logger.info('settled as delivered: its sinks already hold the event, whose last write answer was lost', {
        eventId: outcome.eventId,
        routeKey: formatRouteKey(outcome.routeKey),
        streamSequence: msg.seq,
        attempt: msg.info.deliveryCount,
        reason: outcome.failure.reason,
      });
    });
  }

  async function settleMessage(msg: JsMsg, outcome: Outcome, settlement: Settlement): Promise<void> {
    if (settlement.action === 'ack') {
      msg.ack();
      firstFailures.delete(msg.seq);
      // A failed outcome settled as acknowledged is one a sink turned out to hold already.
      if (outcome.kind === 'failed' || outcome.duplicate) stats.duplicates++;
      else stats.committed++;
      return;
    }
    if (settlement.action === 'retry') {
      rememberFailure(msg.seq);
      msg.nak(settlement.delayMs);
      stats.retried++;
      if (outcome.kind === 'failed') {
        logger.info('retrying', {
          eventId: outcome.eventId,
          routeKey: formatRouteKey(outcome.routeKey),
          streamSequence: msg.seq,
          attempt: msg.info.deliveryCount,
          delayMs: settlement.delayMs,
          reason: outcome.failure.reason,
          detail: outcome.failure.message,
        });
      }
      return;
    }
    if (outcome.kind !== 'failed') return;
    try {
      await deadLetter(msg, outcome, settlement.failure);
    } catch (error) {
      // The dead letter was not stored, so the original must stay: retry it later.
      msg.nak(retryDelayMs(msg.info.deliveryCount, config.retry));
      stats.retried++;
      logger.error('dead-letter publish failed; will retry', { streamSequence: msg.seq, eventId: outcome.eventId, error });
    }
  }

  async function processBatch(batch: JsMsg[]): Promise<void> {
    const started = Date.now();
    const bySeq = new Map(batch.map((msg) => [String(msg.seq), msg]));
    const outcomes = await runPipeline(batch.map(toRawRecord), invoker, {
      limiter,
      warn: (message, fields) => logger.warn(message, fields),
      // Headers are parsed only here, for the few fan-out records a first delivery could be a replay of.
      redelivered: (id) => {
        const msg = bySeq.get(id);
        return msg !== undefined && (msg.info.deliveryCount > 1 || msg.headers?.has(REPLAY_COUNT_HEADER) === true);
      },
    });
    if (exitAt === 'after-sink-commit') {
      const committed = [...outcomes.values()].filter((outcome) => outcome.kind === 'committed').length;
      if (committed > 0) exitNow(logger, exitAt, { committed, records: batch.length });
    }
    const settlements = batch.map((msg) => settle(outcomes.get(String(msg.seq))!, msg.info.deliveryCount, config.retry));
    await confirmDeliveries(batch, outcomes, settlements);
    await Promise.all(batch.map((msg, index) => settleMessage(msg, outcomes.get(String(msg.seq))!, settlements[index]!)));
    stats.batches++;
    logger.debug('batch settled', { records: batch.length, ms: Date.now() - started });
  }

  function pump(): void {
    while (inFlight < config.maxInFlight && queue.length > 0) {
      const batch = queue.shift()!;
      inFlight++;
      processBatch(batch)
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
export type { Bridge, BridgeDeps, BridgeStats };
