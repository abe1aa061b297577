// The paced phase's load generator, in a process of its own so its CPU is its own (read from
// /proc like the bridge's) and its event loop does not share the bench's. Started by
// bench/publisherChild.ts; it connects, then answers `prepare` (encode the events ahead) and
// `go` (publish them on schedule) over the IPC channel, and exits when the bench goes away.
import type { MsgHdrs } from '@nats-io/nats-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadBridgeConfig } from '../shared/config/index.ts';
import { connectNats } from '../shared/nats/index.ts';
import type { RouteRecord } from '../shared/routes/index.ts';
import { encodeScheduled } from './events.ts';
import { createJetStreamPublisher, msgIdHeaders } from './jetStreamPublisher.ts';
import type { PacedPublish, PublisherReply, PublisherRequest } from './publisherMessages.ts';

// A loaded 2-core machine can hold an ack back for seconds; failing over that would fail the run
// over a delay the verification at the end would not even see.
const ACK_TIMEOUT_MS = 30_000;

// How often the publisher wakes to send what is due. Each wake-up is a timer, a socket write for
// the publisher and a read for nats-server: at 10 000/s, waking every 5 ms instead of every
// millisecond took the publisher from ~19 to ~15 µs per event. A due event waits up to one tick,
// and that wait counts in its latency.
const TICK_MS = 5;

type Prepared = {
  readonly route: RouteRecord;
  readonly rate: number;
  readonly window: number;
  readonly payloads: readonly Buffer[];
  readonly headers: readonly MsgHdrs[];
  readonly baseMs: number;
  readonly encodeCpuUs: number;
};

const cpuUs = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

function prepare(request: Extract<PublisherRequest, { kind: 'prepare' }>): Prepared {
  const before = cpuUs();
  const count = Math.round(request.rate * request.seconds);
  const events = encodeScheduled(request.route, count, request.rate, Date.now());
  return {
    route: request.route,
    rate: request.rate,
    window: request.window,
    payloads: events.payloads,
    headers: events.ids.map(msgIdHeaders),
    baseMs: events.baseMs,
    encodeCpuUs: cpuUs() - before,
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Sends event `i` at start + i / rate: whatever is due when the loop wakes goes out at once, so a
 * late wake-up is caught up rather than lost, and each publish's lateness is recorded. At most
 * `window` acks are outstanding; a due event waits for room (and counts as late).
 */
async function publishOnSchedule(nc: Awaited<ReturnType<typeof connectNats>>, job: Prepared): Promise<PacedPublish> {
  const { rate, window, payloads, headers } = job;
  const total = payloads.length;
  const publisher = createJetStreamPublisher(nc, job.route.subject, ACK_TIMEOUT_MS);
  const lag = new Float64Array(total);
  const slotMs = 1000 / rate;
  let windowWaits = 0;
  let lastSendAt = 0;
  const cpuBefore = cpuUs();
  const systemBefore = process.cpuUsage().system;
  const startedAtMs = Date.now();
  const start = performance.now();
  try {
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor((performance.now() - start) / slotMs) + 1);
      for (; sent < due; sent++) {
        if (publisher.outstanding >= window) {
          windowWaits++;
          await publisher.waitBelow(window - 1);
        }
        publisher.publish(payloads[sent]!, headers[sent]!);
        lastSendAt = performance.now();
        lag[sent] = lastSendAt - (start + sent * slotMs);
      }
      if (sent < total) await sleep(Math.max(TICK_MS, start + sent * slotMs - performance.now()));
    }
    await publisher.waitBelow(0);
  } finally {
    publisher.close();
  }
  const ackedAt = performance.now();
  const cpu = cpuUs() - cpuBefore;
  const system = process.cpuUsage().system - systemBefore;
  const sendSeconds = (lastSendAt - start + slotMs) / 1000;
  lag.sort();
  return {
    published: total,
    duplicates: publisher.tally.duplicates,
    firstSeq: publisher.tally.firstSeq,
    lastSeq: publisher.tally.lastSeq,
    baseMs: job.baseMs,
    startedAtMs,
    sendSeconds,
    achievedPerSecond: total / sendSeconds,
    ackSeconds: (ackedAt - start) / 1000,
    lagMs: { p50: percentile(lag, 0.5), p99: percentile(lag, 0.99), max: percentile(lag, 1) },
    windowWaits,
    window,
    cpuUsPerEvent: total > 0 ? cpu / total : Number.NaN,
    systemCpuUsPerEvent: total > 0 ? system / total : Number.NaN,
    encodeCpuUsPerEvent: total > 0 ? job.encodeCpuUs / total : Number.NaN,
  };
}

function reply(message: PublisherReply): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const nc = await connectNats(config.nats.url, 'ingest-bench-publisher', config.nats.security);
  let job: Prepared | undefined;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: PublisherRequest) => {
    void (async () => {
      try {
        if (message.kind === 'prepare') {
          job = prepare(message);
          reply({ kind: 'prepared', events: job.payloads.length });
        } else {
          if (job === undefined) throw new Error('go before prepare');
          const result = await publishOnSchedule(nc, job);
          job = undefined;
          reply({ kind: 'done', result });
        }
      } catch (error) {
        reply({ kind: 'failed', message: (error as Error).stack ?? String(error) });
      }
    })();
  });
  reply({ kind: 'ready' });
}

main().catch((error: unknown) => {
  reply({ kind: 'failed', message: (error as Error).stack ?? String(error) });
  process.exit(1);
});
