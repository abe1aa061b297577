import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from '../infra/local/processes.ts';
import type { BridgeConfig } from '../shared/config/index.ts';
import { createTestPlane, type TestPlane } from '../test/helpers/plane.ts';
import type { BridgeBundles } from './bridgeBundles.ts';
import { ROOT, startBridgeChild } from './children.ts';
import { type CpuSample, sampleCpu } from './procStats.ts';

type BridgeKind = 'lambda' | 'in-process';

type Progress = {
  /** The ack floor: every message up to this stream sequence is settled (acked or terminated). */
  readonly settled: number;
  /**
   * Messages settled in any order (delivered minus awaiting ack). The floor can stand still
   * while one slow batch is out and later ones are acked, so progress is read from this.
   */
  readonly acked: number;
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
};

type Verification = {
  readonly expected: number;
  readonly rows: number;
  readonly duplicateEventIds: number;
  readonly deadLetters: number;
  /** Messages in the ingest stream: fewer than expected means publishes were dropped as repeats. */
  readonly streamMessages: number;
  /** Deliveries beyond the first (naks, ack-wait expiries): the consumer's sequence minus the stream's. */
  readonly redeliveries: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
};

type DrainWatch = {
  readonly doneAtMs: number;
  /** CPU when the first acked message was seen, and how many were acked then. */
  readonly firstProgress: { readonly cpu: CpuSample; readonly settled: number } | undefined;
  readonly end: CpuSample;
};

type BenchPlane = {
  readonly plane: TestPlane;
  readonly config: BridgeConfig;
  readonly bridgeKind: BridgeKind;
  readonly bridgePid: number | undefined;
  readonly offlinePid: number | undefined;
  stopBridge(): Promise<void>;
  startBridge(kind: BridgeKind): ManagedProcess;
  progress(): Promise<Progress>;
  /** Polls the consumer until `total` messages are settled; fails on a dead bridge or a stall. */
  waitSettled(total: number, options?: { timeoutMs?: number }): Promise<DrainWatch>;
  /** First and last `ingested_at` (ms since epoch) of the rows, optionally from `sinceMs` event time on. */
  commitWindow(sinceEventMs?: number): Promise<{ firstMs: number; lastMs: number }>;
  verify(expected: number): Promise<Verification>;
  /** BENCH_CPU_PROF: asks the profiled children to write their profiles so far. */
  dumpProfiles(): void;
  close(): Promise<void>;
};

const open = new Set<BenchPlane>();

/** Closes every plane still open: the bench's SIGINT/SIGTERM handler and its last resort. */
async function closeAllPlanes(): Promise<void> {
  await Promise.all([...open].map((plane) => plane.close()));
}

const STALL_MS = 60_000;

/** How every plane of a run is set up. */
type PlaneSettings = {
  /** Knobs: the environment of the bridges and of serverless-offline. */
  readonly env: Readonly<Record<string, string>>;
  /** BENCH_CPU_PROF: where the children write CPU profiles. */
  readonly profileDir?: string;
  /** `--bundle`: bridges run from esbuild bundles, as in production, instead of tsx. */
  readonly bundles?: BridgeBundles;
};

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

async function createBenchPlane(settings: PlaneSettings): Promise<BenchPlane> {
  const { env, profileDir, bundles } = settings;
  const bridgeEnv: Record<string, string> = { ...env };
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true });
    bridgeEnv.NODE_OPTIONS = `--import=${join(ROOT, 'bench/cpuProfileHook.mjs')}`;
    bridgeEnv.BENCH_CPU_PROF_DIR = profileDir;
  }
  const plane = await createTestPlane({ bridgeEnv });
  const config = plane.bridgeConfig;
  let bridgeKind: BridgeKind = 'lambda';
  let closed = false;

  const info = () => plane.jsm.consumers.info(config.nats.ingest.name, config.nats.consumer);
  const signalProfiles = (): void => {
    if (profileDir === undefined) return;
    for (const child of [plane.bridge.child, plane.offline.child]) {
      if (child.pid === undefined || !running(child)) continue;
      try {
        process.kill(child.pid, 'SIGUSR2');
      } catch {
        // exited between the check and the signal: nothing to write
      }
    }
  };

  const bench: BenchPlane = {
    plane,
    config,
    get bridgeKind() {
      return bridgeKind;
    },
    get bridgePid() {
      return running(plane.bridge.child) ? plane.bridge.child.pid : undefined;
    },
    get offlinePid() {
      return running(plane.offline.child) ? plane.offline.child.pid : undefined;
    },
    async stopBridge() {
      await plane.bridge.stop();
    },
    startBridge(kind) {
      bridgeKind = kind;
      if (kind === 'lambda' && bundles === undefined) return plane.startBridge();
      const script = kind === 'lambda' ? bundles!.lambda : (bundles?.inProcess ?? join(ROOT, 'bench/inProcessBridge.ts'));
      const log = join(plane.logDir, `ingest-${kind}-bridge-${plane.runId}.log`);
      // Assigned to the plane so its cleanup stops this child like the bridge it replaces.
      plane.bridge = startBridgeChild(`${kind} bridge`, script, plane.env, log);
      return plane.bridge;
    },
    async progress() {
      const consumer = await info();
      return {
        settled: consumer.ack_floor.stream_seq,
        acked: consumer.delivered.stream_seq - consumer.num_ack_pending,
        pending: consumer.num_pending,
        ackPending: consumer.num_ack_pending,
        redelivered: consumer.num_redelivered,
      };
    },
    async waitSettled(total, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? Math.max(180_000, total * 2));
      const roots = () => ({ bridge: bench.bridgePid, offline: bench.offlinePid });
      let firstProgress: DrainWatch['firstProgress'];
      let lastSettled = -1;
      let lastChange = Date.now();
      for (;;) {
        const now = await bench.progress();
        if (firstProgress === undefined && now.acked > 0) firstProgress = { cpu: sampleCpu(roots()), settled: now.acked };
        if (now.settled >= total && now.pending === 0 && now.ackPending === 0) {
          return { doneAtMs: Date.now(), firstProgress, end: sampleCpu(roots()) };
        }
        if (!running(plane.bridge.child)) {
          throw new Error(
            `the ${bridgeKind} bridge exited (${plane.bridge.child.exitCode ?? plane.bridge.child.signalCode}) with ${now.settled}/${total} settled; see ${plane.logDir}`,
          );
        }
        if (now.acked !== lastSettled) {
          lastSettled = now.acked;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > STALL_MS) {
          throw new Error(`no progress for ${STALL_MS / 1000} s at ${now.settled}/${total} settled (${JSON.stringify(now)})`);
        }
        if (Date.now() > deadline) throw new Error(`timed out at ${now.settled}/${total} settled`);
        await sleep(100);
      }
    },
    async commitWindow(sinceEventMs = 0) {
      const [row] = await plane.sql<{ first: string | null; last: string | null }[]>`
        select extract(epoch from min(ingested_at)) * 1000 as first, extract(epoch from max(ingested_at)) * 1000 as last
        from metric_events where event_time >= to_timestamp(${sinceEventMs / 1000})`;
      return { firstMs: Number(row?.first ?? Number.NaN), lastMs: Number(row?.last ?? Number.NaN) };
    },
    async verify(expected) {
      const [rows, doubled, dlq, stream, consumer] = await Promise.all([
        plane.countRows(),
        plane.doubling(),
        plane.jsm.streams.info(config.nats.deadLetter.name),
        plane.jsm.streams.info(config.nats.ingest.name),
        info(),
      ]);
      const problems: string[] = [];
      if (rows < expected) problems.push(`LOSS: ${expected - rows} of ${expected} events have no row`);
      if (rows > expected) problems.push(`${rows - expected} rows more than published`);
      // Rows cannot repeat an event id (the table's key): doubling shows as a row that is also a letter, or two letters for one message.
      const duplicateEventIds = doubled.rowAndLetter.length + doubled.repeatedLetters.length;
      if (duplicateEventIds > 0)
        problems.push(`DUPLICATES: ${doubled.rowAndLetter.length} events both a row and a dead letter, ${doubled.repeatedLetters.length} dead-lettered twice`);
      if (dlq.state.messages > 0) problems.push(`${dlq.state.messages} dead letters`);
      if (stream.state.messages !== expected) problems.push(`stream holds ${stream.state.messages} messages, expected ${expected}`);
      return {
        expected,
        rows,
        duplicateEventIds,
        deadLetters: dlq.state.messages,
        streamMessages: stream.state.messages,
        redeliveries: consumer.delivered.consumer_seq - consumer.delivered.stream_seq,
        ok: problems.length === 0,
        problems,
      };
    },
    dumpProfiles: signalProfiles,
    async close() {
      if (closed) return;
      closed = true;
      open.delete(bench);
      await plane.close();
    },
  };
  open.add(bench);
  if (bundles !== undefined) {
    // The plane started a tsx bridge; every bridge of a `--bundle` run is a bundled one.
    await plane.bridge.stop();
    bench.startBridge('lambda');
  }
  return bench;
}

export { closeAllPlanes, createBenchPlane };
export type { BenchPlane, BridgeKind, DrainWatch, PlaneSettings, Progress, Verification };
