// Function packaging, cold start and billed duration: each bundle's size (as osls would zip it)
// and, for the stage functions, how long a fresh node process takes to load the bundle and answer
// its first request (Lambda's init plus the first invoke, which opens the database connection and
// reads the registry), then how long a warm invoke of a full batch takes (what Lambda bills).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SchemaCache } from '../shared/avro/index.ts';
import { encodeEvent } from '../shared/producer/index.ts';
import type { RouteRecord } from '../shared/routes/index.ts';
import { createBenchPlane, type PlaneSettings } from './benchPlane.ts';
import { type Bundle, buildBundles } from './bundles.ts';
import { metricEvent } from './events.ts';

const run = promisify(execFile);

type ColdStart = {
  readonly name: string;
  /** Medians over `runs` fresh processes, in ms. */
  readonly nodeBootMs: number;
  readonly importMs: number;
  readonly firstInvokeMs: number;
  /** import + first invoke: what a cold invocation adds before it can answer. */
  readonly coldMs: number;
  readonly warmInvokeMs: number;
  /**
   * A warm invoke of one full batch (`batchRecords` events, as the bridge sends them): the
   * handler's own wall time, what Lambda bills (rounded up to 1 ms). Median over the runs of each
   * run's median of its later half of BATCH_INVOKES batch invokes.
   */
  readonly batchInvokeMs: number;
  readonly runs: number;
};

type FunctionsResult = {
  readonly bundles: readonly Bundle[];
  readonly coldStarts: readonly ColdStart[];
  /** Records per batch the durations were measured with (the bridge's BATCH_MAX_RECORDS). */
  readonly batchRecords: number;
  /** Sink targets of the bench route: sink-write is invoked once per batch and target. */
  readonly targets: number;
  readonly problems: readonly string[];
};

// Batch invokes per fresh process; the first half warm the batch path (JIT, pool connections) and are not counted.
const BATCH_INVOKES = 8;

// Runs inside the fresh process, as plain ESM so no loader (tsx) sits between node and the bundle.
// The batches come from a file: a full batch is larger than an environment variable may be.
// The result goes to a file: the function's own stdout carries its Powertools log lines and EMF documents.
const PROBE = `
import { readFileSync, writeFileSync } from 'node:fs';
const batches = JSON.parse(readFileSync(process.env.BENCH_BATCH_FILE, 'utf8'));
const t0 = performance.now();
const mod = await import(process.env.BENCH_BUNDLE_URL);
const t1 = performance.now();
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: false };
const first = await mod.handler(JSON.parse(process.env.BENCH_EVENT_1), context);
const t2 = performance.now();
const second = await mod.handler(JSON.parse(process.env.BENCH_EVENT_2), context);
const t3 = performance.now();
const ok = (response) => Array.isArray(response?.results) && response.results.every((result) => result.ok === true);
const batchMs = [];
let batchesOk = true;
for (const batch of batches) {
  const started = performance.now();
  const response = await mod.handler(batch, context);
  batchMs.push(performance.now() - started);
  batchesOk &&= ok(response);
}
writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify({ bootMs: t0, importMs: t1 - t0, firstMs: t2 - t1, warmMs: t3 - t2, batchMs, ok: ok(first) && ok(second) && batchesOk, first }));
process.exit(0);
`;

/** One record of a stage's request, for a fresh event. */
function recordFor(name: string, route: RouteRecord, id: string): unknown {
  const type = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
  const event = metricEvent(route, Math.floor(Math.random() * 1e6));
  const payload = encodeEvent(route, event, type).toString('base64');
  const time = (event.time as Date).toISOString();
  switch (name) {
    case 'validate':
      return { id, subject: route.subject, payload, publishedAtMs: Date.parse(time) };
    case 'route':
      return { id, subject: route.subject };
    case 'sink-write': {
      // The route's own version is reader and writer: what validate pins for the producer's encoding.
      const pin = { numericId: route.schema.numericId, cacheKey: route.schema.cacheKey };
      return { id, subject: route.subject, payload, publishedAtMs: Date.parse(time), eventId: event.id, reader: pin, writer: pin };
    }
    default:
      return undefined;
  }
}

/**
 * A request each stage function can answer successfully against the plane's registry and table,
 * with `records` records as the bridge sends a batch of that many events: route gets each distinct
 * subject of a batch once, so one record whatever the batch size.
 */
function requestFor(name: string, route: RouteRecord, records = 1): unknown {
  if (recordFor(name, route, '0') === undefined) return undefined;
  const count = name === 'route' ? 1 : records;
  const list = Array.from({ length: count }, (_, index) => recordFor(name, route, String(index + 1)));
  return name === 'sink-write' ? { target: route.sinks[0], records: list } : { records: list };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Probe = { bootMs: number; importMs: number; firstMs: number; warmMs: number; batchMs: number[]; ok: boolean; first: unknown };

type ProbeSetup = { readonly route: RouteRecord; readonly databaseUrl: string; readonly batchRecords: number; readonly runs: number };

async function coldStart(bundle: Bundle, setup: ProbeSetup, problems: string[]): Promise<ColdStart | undefined> {
  const { route, databaseUrl, batchRecords, runs } = setup;
  if (requestFor(bundle.name, route) === undefined) return undefined;
  const probes: Probe[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-batches-'));
  try {
    for (let i = 0; i < runs; i++) {
      // Fresh events for every batch: sink-write would skip repeated ids as duplicates, which is cheaper.
      const batchFile = join(dir, `${bundle.name}-${i}.json`);
      const resultFile = join(dir, `${bundle.name}-${i}.result.json`);
      writeFileSync(batchFile, JSON.stringify(Array.from({ length: BATCH_INVOKES }, () => requestFor(bundle.name, route, batchRecords))));
      const env = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        BENCH_BUNDLE_URL: pathToFileURL(bundle.path).href,
        BENCH_EVENT_1: JSON.stringify(requestFor(bundle.name, route)),
        BENCH_EVENT_2: JSON.stringify(requestFor(bundle.name, route)),
        BENCH_BATCH_FILE: batchFile,
        BENCH_RESULT_FILE: resultFile,
      };
      await run(process.execPath, ['--input-type=module', '-e', PROBE], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      probes.push(JSON.parse(readFileSync(resultFile, 'utf8')) as Probe);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failed = probes.filter((probe) => !probe.ok);
  if (failed.length > 0) {
    problems.push(`${bundle.name}: a fresh process's requests failed in ${failed.length} of ${runs} runs: ${JSON.stringify(failed[0]!.first).slice(0, 300)}`);
  }
  const importMs = median(probes.map((p) => p.importMs));
  const firstInvokeMs = median(probes.map((p) => p.firstMs));
  return {
    name: bundle.name,
    nodeBootMs: median(probes.map((p) => p.bootMs)),
    importMs,
    firstInvokeMs,
    coldMs: median(probes.map((p) => p.importMs + p.firstMs)),
    warmInvokeMs: median(probes.map((p) => p.warmMs)),
    batchInvokeMs: median(probes.map((p) => median(p.batchMs.slice(BATCH_INVOKES / 2)))),
    runs,
  };
}

async function runFunctions(settings: PlaneSettings, batchRecords: number, runs = 5): Promise<FunctionsResult> {
  const { bundles, cleanup } = await buildBundles();
  const bench = await createBenchPlane({ env: settings.env });
  try {
    // Nothing else of the plane runs while fresh processes are timed.
    await bench.stopBridge();
    await bench.plane.offline.stop();
    const problems: string[] = [];
    const coldStarts: ColdStart[] = [];
    const setup: ProbeSetup = { route: bench.plane.route, databaseUrl: bench.plane.env.DATABASE_URL!, batchRecords, runs };
    for (const bundle of bundles) {
      const cold = await coldStart(bundle, setup, problems);
      if (cold !== undefined) coldStarts.push(cold);
    }
    return { bundles, coldStarts, batchRecords, targets: bench.plane.route.sinks.length, problems };
  } finally {
    await bench.close();
    cleanup();
  }
}

export { runFunctions };
export type { ColdStart, FunctionsResult };
