// Phase (c): paced load through the real chain. A warm bridge gets `rate` events/s for `duration`
// seconds; latency is publish → row, from each event's `time` (stamped as it is published) to its
// row's `ingested_at` (now() in the insert's transaction), both from this machine's clock.
import { createBenchPlane, type PlaneSettings, type Verification } from './benchPlane.ts';
import { type CpuBreakdown, cpuBreakdown } from './cpu.ts';
import { memoryOf, sampleCpu } from './procStats.ts';
import { publishPaced } from './publish.ts';

type Latency = { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };

type PacedRun = {
  readonly rate: number;
  readonly duration: number;
  readonly events: number;
  readonly achievedPerSecond: number;
  readonly lateTicks: number;
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

async function runPaced(rate: number, duration: number, settings: PlaneSettings): Promise<PacedRun> {
  const bench = await createBenchPlane(settings);
  try {
    const { plane } = bench;
    // Warm-up: the first batches pay for connections, registry reads and JIT; not what is measured.
    const warm = await publishPaced(plane.js, plane.route, rate, WARM_UP_SECONDS);
    await bench.waitSettled(warm.published);
    const roots = () => ({ bridge: bench.bridgePid, offline: bench.offlinePid });
    const before = sampleCpu(roots());
    const paced = await publishPaced(plane.js, plane.route, rate, duration);
    const total = warm.published + paced.published;
    const watch = await bench.waitSettled(total);
    const bridgeMemory = memoryOf(bench.bridgePid);
    const offlineMemory = memoryOf(bench.offlinePid);
    bench.dumpProfiles();

    const since = paced.startedAtMs / 1000;
    const [latency] = await plane.sql<{ p50: number; p90: number; p99: number; max: number; mean: number; n: number }[]>`
      with l as (
        select extract(epoch from ingested_at - event_time) * 1000 as ms from metric_events
        where event_time >= to_timestamp(${since}))
      select percentile_cont(0.5) within group (order by ms) as p50,
             percentile_cont(0.9) within group (order by ms) as p90,
             percentile_cont(0.99) within group (order by ms) as p99,
             max(ms) as max, avg(ms) as mean, count(*)::int as n
      from l`;
    const perSecond = await plane.sql<{ second: number; p50: number; p99: number; events: number }[]>`
      select floor(extract(epoch from event_time) - ${since})::int as second,
             percentile_cont(0.5) within group (order by extract(epoch from ingested_at - event_time) * 1000) as p50,
             percentile_cont(0.99) within group (order by extract(epoch from ingested_at - event_time) * 1000) as p99,
             count(*)::int as events
      from metric_events where event_time >= to_timestamp(${since})
      group by 1 order by 1`;
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
      lateTicks: paced.lateTicks,
      latencyMs: { p50: Number(latency.p50), p90: Number(latency.p90), p99: Number(latency.p99), max: Number(latency.max), mean: Number(latency.mean) },
      perSecond: seconds,
      medianSecondP99: full[Math.floor(full.length / 2)] ?? Number.NaN,
      cpu: cpuBreakdown(before, watch.end, paced.published),
      bridgePeakRssMb: bridgeMemory?.peakMb,
      offlinePeakRssMb: offlineMemory?.peakMb,
      verification,
    };
  } finally {
    await bench.close();
  }
}

export { runPaced };
export type { Latency, PacedRun };
