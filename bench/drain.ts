// Phases (a) and (b): backlog drain. N events wait in the stream with the bridge stopped; then one
// bridge replica starts and drains them, either through serverless-offline (the real chain) or
// with the functions called in its own process. Timed from the bridge's spawn and from the first
// commit to the last commit (`ingested_at` of the rows, so polling adds no error).
import { type BenchPlane, type BridgeKind, createBenchPlane, type PlaneSettings, type Verification } from './benchPlane.ts';
import { type CpuBreakdown, cpuBreakdown } from './cpu.ts';
import { memoryOf, sampleCpu } from './procStats.ts';
import { publishBacklog } from './publish.ts';

type DrainResult = {
  readonly kind: BridgeKind;
  readonly events: number;
  readonly publishPerSecond: number;
  /** Bridge spawn → last commit, and first commit → last commit. */
  readonly secondsWithStartup: number;
  readonly secondsFromFirstCommit: number;
  readonly perSecondWithStartup: number;
  readonly perSecond: number;
  /** Bridge spawn → first commit: process start, connect, first batch through every stage. */
  readonly startupSeconds: number;
  /** From the first settled message on (steady state); `whole` includes start-up. */
  readonly cpu: CpuBreakdown;
  readonly cpuWhole: CpuBreakdown;
  readonly bridgePeakRssMb: number | undefined;
  readonly offlinePeakRssMb: number | undefined;
  readonly verification: Verification;
};

async function measureDrain(bench: BenchPlane, kind: BridgeKind, events: number): Promise<DrainResult> {
  const { plane } = bench;
  await bench.stopBridge();
  // The in-process bridge never calls serverless-offline; stopped, it costs nothing in the numbers.
  if (kind === 'in-process') await plane.offline.stop();
  const published = await publishBacklog(plane.nc, plane.route, events);
  if (published.lastSeq !== events) throw new Error(`stream sequences end at ${published.lastSeq}, expected ${events}`);

  const before = sampleCpu({ offline: bench.offlinePid });
  const spawnedAtMs = Date.now();
  bench.startBridge(kind);
  const watch = await bench.waitSettled(events);
  const bridgeMemory = memoryOf(bench.bridgePid);
  const offlineMemory = memoryOf(bench.offlinePid);
  bench.dumpProfiles();
  const window = await bench.commitWindow();
  const verification = await bench.verify(events);

  const withStartup = (window.lastMs - spawnedAtMs) / 1000;
  const fromFirst = (window.lastMs - window.firstMs) / 1000;
  // A short run may be over by the first poll; then the whole run is the only window there is.
  const steady = watch.firstProgress !== undefined && watch.firstProgress.settled < events / 2;
  const steadyFrom = steady ? watch.firstProgress! : { cpu: before, settled: 0 };
  return {
    kind,
    events,
    publishPerSecond: published.perSecond,
    secondsWithStartup: withStartup,
    secondsFromFirstCommit: fromFirst,
    perSecondWithStartup: events / withStartup,
    perSecond: events / fromFirst,
    startupSeconds: (window.firstMs - spawnedAtMs) / 1000,
    cpu: cpuBreakdown(steadyFrom.cpu, watch.end, events - steadyFrom.settled),
    cpuWhole: cpuBreakdown(before, watch.end, events),
    bridgePeakRssMb: bridgeMemory?.peakMb,
    offlinePeakRssMb: offlineMemory?.peakMb,
    verification,
  };
}

async function runDrain(kind: BridgeKind, events: number, settings: PlaneSettings): Promise<DrainResult> {
  const bench = await createBenchPlane(settings);
  try {
    return await measureDrain(bench, kind, events);
  } finally {
    await bench.close();
  }
}

export { runDrain };
export type { DrainResult };
