import { hostname } from 'node:os';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { FiguresBucket } from '../shared/figures/index.ts';
import { createReplicaId, FiguresHistory, figuresTtlMs, openFiguresBucket, replicaKey } from '../shared/figures/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import type { NatsConnection } from '../shared/nats/index.ts';
import { type Lag, sampleFigures } from './figuresSample.ts';
import type { BridgeObservability } from './observability.ts';

/** While puts keep failing, a warning at most this often (the first failure is always told). */
const WARN_EVERY_MS = 60_000;

type FiguresPublisherDeps = {
  readonly replica: string;
  readonly instruments: Parameters<typeof sampleFigures>[0];
  readonly bucket: Pick<FiguresBucket, 'bucket' | 'put'>;
  /** The consumer's backlog from the cached probe the gauges read (no round trip of its own). */
  readonly lag: () => Promise<Lag>;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly now?: () => number;
};

type FiguresPublisher = {
  /** One publish: reads the counters, puts the document. Never rejects; a failed put is logged. */
  publish(): Promise<void>;
  start(): void;
  /** Stops the timer, waits for a publish under way, then, if it was started, publishes once more (after the drain: the final counts). */
  stop(): Promise<void>;
};

/**
 * Every interval, the replica's figures (shared/figures) into the figures bucket under
 * `replica.<id>`, for the console. Off the data path: it reads counters the data path already
 * keeps, and a put that fails (NATS away, bucket deleted or full) is logged and tried again at the
 * next interval, never thrown. A tick while the previous put is still under way is skipped.
 */
function createFiguresPublisher(deps: FiguresPublisherDeps): FiguresPublisher {
  const now = deps.now ?? Date.now;
  const { bucket, logger, replica } = deps;
  const history = new FiguresHistory({ replica, startedAtMs: now(), intervalMs: deps.intervalMs });
  let timer: NodeJS.Timeout | undefined;
  let underWay: Promise<void> | undefined;
  let failingSince: number | undefined;
  let warnedAt = Number.NEGATIVE_INFINITY;

  async function publishOnce(): Promise<void> {
    let lag: Lag | null;
    try {
      lag = await deps.lag();
    } catch {
      lag = null; // the gauges' own callback logs a failing probe
    }
    // The counters are read after the lag's await, so the put carries them as of now.
    const figures = history.record(sampleFigures(deps.instruments, lag, now()));
    try {
      await bucket.put(figures);
      if (failingSince !== undefined) logger.info('figures published again', { replica, bucket: bucket.bucket, failingForMs: now() - failingSince });
      failingSince = undefined;
    } catch (error) {
      const at = now();
      failingSince ??= at;
      if (at - warnedAt >= WARN_EVERY_MS || failingSince === at) {
        warnedAt = at;
        logger.warn('figures not published; trying again next interval', { replica, bucket: bucket.bucket, error });
      }
    }
  }

  function publish(): Promise<void> {
    underWay ??= publishOnce().finally(() => {
      underWay = undefined;
    });
    return underWay;
  }

  return {
    publish,
    start() {
      if (timer !== undefined) return;
      logger.info('figures publishing', { bucket: bucket.bucket, key: replicaKey(replica), intervalMs: deps.intervalMs });
      timer = setInterval(() => void publish(), deps.intervalMs);
      timer.unref();
    },
    async stop() {
      const started = timer !== undefined;
      clearInterval(timer);
      timer = undefined;
      await underWay;
      if (started) await publish();
    },
  };
}

/** The replica's figures for the console (BRIDGE_FIGURES_INTERVAL_MS; none when 0), reading the instruments /metrics reads. */
function figuresPublisherFor(config: BridgeConfig, nc: NatsConnection, observability: BridgeObservability, logger: Logger): FiguresPublisher | undefined {
  const intervalMs = config.figuresIntervalMs;
  if (intervalMs === 0) return undefined;
  return createFiguresPublisher({
    replica: createReplicaId({ hostname: hostname(), pid: process.pid }),
    instruments: observability.instruments,
    bucket: openFiguresBucket(nc, { bucket: config.nats.figuresBucket, ttlMs: figuresTtlMs(intervalMs) }),
    lag: async () => {
      const info = await observability.consumerInfo();
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },
    logger,
    intervalMs,
  });
}

export { createFiguresPublisher, figuresPublisherFor };
export type { FiguresPublisher, FiguresPublisherDeps };
