// Function packaging and cold start: each bundle's size (as osls would zip it) and, for the stage
// functions, how long a fresh node process takes to load the bundle and answer its first request
// (Lambda's init plus the first invoke, which opens the database connection and reads the registry).
import { execFile } from 'node:child_process';
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
  readonly runs: number;
};

type FunctionsResult = { readonly bundles: readonly Bundle[]; readonly coldStarts: readonly ColdStart[]; readonly problems: readonly string[] };

// Runs inside the fresh process, as plain ESM so no loader (tsx) sits between node and the bundle.
const PROBE = `
const t0 = performance.now();
const mod = await import(process.env.BENCH_BUNDLE_URL);
const t1 = performance.now();
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: false };
const first = await mod.handler(JSON.parse(process.env.BENCH_EVENT_1), context);
const t2 = performance.now();
const second = await mod.handler(JSON.parse(process.env.BENCH_EVENT_2), context);
const t3 = performance.now();
const ok = (response) => Array.isArray(response?.results) && response.results.every((result) => result.ok === true);
process.stdout.write(JSON.stringify({ bootMs: t0, importMs: t1 - t0, firstMs: t2 - t1, warmMs: t3 - t2, ok: ok(first) && ok(second), first }));
process.exit(0);
`;

/** A request each stage function can answer successfully against the plane's registry and table. */
function requestFor(name: string, route: RouteRecord): unknown {
  const type = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
  const event = metricEvent(route, Math.floor(Math.random() * 1e6));
  const payload = encodeEvent(route, event, type).toString('base64');
  const time = (event.time as Date).toISOString();
  switch (name) {
    case 'validate':
      return { records: [{ id: '1', subject: route.subject, payload, publishedAtMs: Date.parse(time) }] };
    case 'route':
      return { records: [{ id: '1', subject: route.subject }] };
    case 'sink-write': {
      // The route's own version is reader and writer: what validate pins for the producer's encoding.
      const pin = { numericId: route.schema.numericId, cacheKey: route.schema.cacheKey };
      return {
        target: route.sinks[0],
        records: [{ id: '1', subject: route.subject, payload, publishedAtMs: Date.parse(time), eventId: event.id, reader: pin, writer: pin }],
      };
    }
    default:
      return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Probe = { bootMs: number; importMs: number; firstMs: number; warmMs: number; ok: boolean; first: unknown };

async function coldStart(bundle: Bundle, route: RouteRecord, databaseUrl: string, runs: number, problems: string[]): Promise<ColdStart | undefined> {
  if (requestFor(bundle.name, route) === undefined) return undefined;
  const probes: Probe[] = [];
  for (let i = 0; i < runs; i++) {
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      BENCH_BUNDLE_URL: pathToFileURL(bundle.path).href,
      BENCH_EVENT_1: JSON.stringify(requestFor(bundle.name, route)),
      BENCH_EVENT_2: JSON.stringify(requestFor(bundle.name, route)),
    };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], { env, timeout: 60_000 });
    probes.push(JSON.parse(stdout) as Probe);
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
    runs,
  };
}

async function runFunctions(settings: PlaneSettings, runs = 5): Promise<FunctionsResult> {
  const { bundles, cleanup } = await buildBundles();
  const bench = await createBenchPlane({ env: settings.env });
  try {
    // Nothing else of the plane runs while fresh processes are timed.
    await bench.stopBridge();
    await bench.plane.offline.stop();
    const problems: string[] = [];
    const coldStarts: ColdStart[] = [];
    for (const bundle of bundles) {
      const cold = await coldStart(bundle, bench.plane.route, bench.plane.env.DATABASE_URL!, runs, problems);
      if (cold !== undefined) coldStarts.push(cold);
    }
    return { bundles, coldStarts, problems };
  } finally {
    await bench.close();
    cleanup();
  }
}

export { runFunctions };
export type { ColdStart, FunctionsResult };
