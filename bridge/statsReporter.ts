import type { Logger } from '../shared/logging/index.ts';
import type { BridgeStats } from './stats.ts';

/** The consumer's backlog as the server sees it (all replicas together). */
type ConsumerLag = { readonly pending: number; readonly ackPending: number; readonly redelivered: number };

type StatsReporter = {
  /** Logs one line: what this replica settled since the last line, and the consumer's backlog. */
  report(): Promise<void>;
  start(): void;
  stop(): void;
};

/**
 * A periodic `bridge stats` line, so an operator sees throughput, failures and lag per replica
 * without scraping anything: counts since the previous line (events per second included) and the
 * consumer's pending, ack-pending and redelivered counts. A failing lag probe is reported in the
 * line, never thrown.
 */
function createStatsReporter(options: {
  readonly stats: Readonly<BridgeStats>;
  readonly lag: () => Promise<ConsumerLag>;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly now?: () => number;
}): StatsReporter {
  const now = options.now ?? Date.now;
  let previous = { ...options.stats };
  let previousAt = now();
  let timer: NodeJS.Timeout | undefined;

  async function report(): Promise<void> {
    const current = { ...options.stats };
    const at = now();
    const seconds = Math.max((at - previousAt) / 1000, 0.001);
    const settled = current.committed + current.duplicates + current.deadLettered - (previous.committed + previous.duplicates + previous.deadLettered);
    let lag: ConsumerLag | { readonly error: string };
    try {
      lag = await options.lag();
    } catch (error) {
      lag = { error: (error as Error).message };
    }
    options.logger.info('bridge stats', {
      seconds: Math.round(seconds),
      committed: current.committed - previous.committed,
      duplicates: current.duplicates - previous.duplicates,
      deadLettered: current.deadLettered - previous.deadLettered,
      retried: current.retried - previous.retried,
      batches: current.batches - previous.batches,
      eventsPerSecond: Math.round(settled / seconds),
      consumer: lag,
    });
    previous = current;
    previousAt = at;
  }

  return {
    report,
    start() {
      if (options.intervalMs <= 0 || timer !== undefined) return;
      timer = setInterval(() => void report(), options.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export { createStatsReporter };
export type { ConsumerLag, StatsReporter };
