// Phase (c): paced load through the real chain. A warm bridge gets `rate` events/s for `duration`
// seconds from a publisher process of its own; latency is publish → row, from each event's
// scheduled publish time to its row's `ingested_at` (now() in the insert's transaction), both from
// this machine's clock.
import { createBenchPlane, type PlaneSettings, type Verification } from './benchPlane.ts';
import { type CpuBreakdown, cpuBreakdown } from './cpu.ts';
import { memoryOf, sampleCpu } from './procStats.ts';
import { startPublisherChild } from './publisherChild.ts';
import type { PacedPublish } from './publisherMessages.ts';

type Latency = { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };

type PacedRun = {
  readonly rate: number;
  readonly duration: number;
  readonly events: number;
  /** What the publisher sent per second (its own clock); the target is `rate`. */
  readonly achievedPerSecond: number;
  /** The paced events over first → last row commit (`ingested_at`). */
  readonly committedPerSecond: number;
  readonly publisher: PacedPublish;
  /** ms, over every event of the paced window (warm-up excluded). */
  readonly latencyMs: Latency;
  /** p50/p99 per second of publishing, to tell a steady tail from a start-up or GC spike. */
  readonly perSecond: readonly { readonly second: number; readonly p50: number; readonly p99: number; readonly events: number }[];
  /**
   * The median of the per-second p99s: on a shared machine a neighbour's burst spoils a few
   * seconds, and this says what the chain does in the others.
   */
  readonly medianSecondP99: number;
  readonly cpu: CpuBreakdown;
  readonly bridgePeakRssMb: number | undefined;
  readonly offlinePeakRssMb: number | undefined;
  readonly verification: Verification;
};

const WARM_UP_SECONDS = 2;

async function runPaced(rate: number, duration: number, window: number, settings: PlaneSettings): Promise<PacedRun> {
  const bench = await createBenchPlane(settings);
  const publisher = await startPublisherChild(bench.plane.env, window).catch(async (error: unknown) => {
    await bench.close();
    throw error;
  });
  try {
    const { plane } = bench;
    // Warm-up: the first batches pay for connections, registry reads and JIT; not what is measured.
    await publisher.prepare(plane.route, rate, WARM_UP_SECONDS);
    const warm = await publisher.go();
    await bench.waitSettled(warm.published);
    // Encoded ahead, stamped from `baseMs`; the schedule starts after encoding, `shift` ms later.
    await publisher.prepare(plane.route, rate, duration);
    const roots = () => ({ bridge: bench.bridgePid, offline: bench.offlinePid, publisher: publisher.pid });
    const before = sampleCpu(roots());
    const paced = await publisher.go();
    if (paced.duplicates > 0 || warm.duplicates > 0) throw new Error(`JetStream dropped ${paced.duplicates + warm.duplicates} publishes as repeats`);
    const total = warm.published + paced.published;
    await bench.waitSettled(total);
    // waitSettled samples the chain only; this one counts the publisher as well.
    const end = sampleCpu(roots());
    const bridgeMemory = memoryOf(bench.bridgePid);
    const offlineMemory = memoryOf(bench.offlinePid);
    bench.dumpProfiles();

    // Rows of the paced window have event times from its base on (the warm-up's all lie before);
    // an event's scheduled publish time is its `time` plus the shift.
    const since = paced.baseMs / 1000;
    const shift = (paced.startedAtMs - paced.baseMs) / 1000;
    const [latency] = await plane.sql<{ p50: number; p90: number; p99: number; max: number; mean: number; n: number; first: number; last: number }[]>`
      with l as (
        select (extract(epoch from ingested_at - event_time) - ${shift}) * 1000 as ms, ingested_at from metric_events
        where event_time >= to_timestamp(${since}))
      select percentile_cont(0.5) within group (order by ms) as p50,
             percentile_cont(0.9) within group (order by ms) as p90,
             percentile_cont(0.99) within group (order by ms) as p99,
             max(ms) as max, avg(ms) as mean, count(*)::int as n,
             extract(epoch from min(ingested_at)) as first, extract(epoch from max(ingested_at)) as last
      from l`;
    const perSecond = await plane.sql<{ second: number; p50: number; p99: number; events: number }[]>`
      with l as (
        select floor(extract(epoch from event_time) - ${since})::int as second,
               (extract(epoch from ingested_at - event_time) - ${shift}) * 1000 as ms
        from metric_events where event_time >= to_timestamp(${since}))
      select second, percentile_cont(0.5) within group (order by ms) as p50,
             percentile_cont(0.99) within group (order by ms) as p99, count(*)::int as events
      from l group by 1 order by 1`;
    const verification = await bench.verify(total);
    if (latency === undefined || latency.n !== paced.published) {
      throw new Error(`paced window has ${latency?.n ?? 0} rows, expected ${paced.published}`);
    }
    const seconds = perSecond.map((row) => ({ second: row.second, p50: Number(row.p50), p99: Number(row.p99), events: row.events }));
    // Whole seconds only: the last, partial one has too few events for a p99.
    const full = seconds
      .filter((row) => row.events >= rate / 2)
      .map((row) => row.p99)
      .sort((a, b) => a - b);
    return {
      rate,
      duration,
      events: paced.published,
      achievedPerSecond: paced.achievedPerSecond,
      committedPerSecond: paced.published / (Number(latency.last) - Number(latency.first) + 1 / rate),
      publisher: paced,
      latencyMs: { p50: Number(latency.p50), p90: Number(latency.p90), p99: Number(latency.p99), max: Number(latency.max), mean: Number(latency.mean) },
      perSecond: seconds,
      medianSecondP99: full[Math.floor(full.length / 2)] ?? Number.NaN,
      cpu: cpuBreakdown(before, end, paced.published),
      bridgePeakRssMb: bridgeMemory?.peakMb,
      offlinePeakRssMb: offlineMemory?.peakMb,
      verification,
    };
  } finally {
    await publisher.close();
    await bench.close();
  }
}

export { runPaced };
export type { Latency, PacedRun };
