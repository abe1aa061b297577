import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BridgeStats } from '../../bridge/stats.ts';
import { createStatsReporter } from '../../bridge/statsReporter.ts';
import type { LogFields, Logger } from '../../shared/logging/index.ts';

function capture(): { logger: Logger; lines: { message: string; fields?: LogFields }[] } {
  const lines: { message: string; fields?: LogFields }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: (message, fields) => void lines.push({ message, fields }),
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  return { logger, lines };
}

describe('bridge stats line', () => {
  test('reports what was settled since the previous line, per second, with the consumer backlog', async () => {
    const stats: BridgeStats = { committed: 0, duplicates: 0, deadLettered: 0, retried: 0, batches: 0 };
    let clock = 0;
    const { logger, lines } = capture();
    let probeFails = false;
    const reporter = createStatsReporter({
      stats,
      logger,
      intervalMs: 0,
      now: () => clock,
      lag: async () => {
        if (probeFails) throw new Error('timeout');
        return { pending: 1200, ackPending: 300, redelivered: 4 };
      },
    });
    Object.assign(stats, { committed: 900, duplicates: 50, deadLettered: 50, retried: 7, batches: 2 });
    clock = 10_000;
    await reporter.report();
    Object.assign(stats, { committed: 1900, duplicates: 50, deadLettered: 50, retried: 7, batches: 4 });
    clock = 20_000;
    probeFails = true;
    await reporter.report();
    assert.deepEqual(
      lines.map((line) => line.message),
      ['bridge stats', 'bridge stats'],
    );
    assert.deepEqual(lines[0]!.fields, {
      seconds: 10,
      committed: 900,
      duplicates: 50,
      deadLettered: 50,
      retried: 7,
      batches: 2,
      eventsPerSecond: 100,
      consumer: { pending: 1200, ackPending: 300, redelivered: 4 },
    });
    assert.deepEqual(lines[1]!.fields, {
      seconds: 10,
      committed: 1000,
      duplicates: 0,
      deadLettered: 0,
      retried: 0,
      batches: 2,
      eventsPerSecond: 100,
      consumer: { error: 'timeout' },
    });
  });
});
