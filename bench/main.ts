// `npm run bench`: the plane's benchmark. See docs/benchmark.md for what each number
// means. Every phase runs on an isolated plane (own database, streams, serverless-offline, bridge)
// that is removed afterwards, also when the phase fails or the run is interrupted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { loadBridgeConfig, loadCliConfig, loadFunctionConfig } from '../shared/config/index.ts';
import { connectNats } from '../shared/nats/index.ts';
import { closeAllPlanes, type PlaneSettings } from './benchPlane.ts';
import { buildBridgeBundles } from './bridgeBundles.ts';
import { runCeilings } from './ceilings.ts';
import { renderChart } from './chart.ts';
import { estimateCost } from './cost.ts';
import { runDrain } from './drain.ts';
import { stageFunctionMemoryMb } from './functionMemory.ts';
import { runFunctions } from './functions.ts';
import { type BenchOptions, parseBenchOptions, type Phase } from './options.ts';
import { runPaced } from './paced.ts';
import { summariseProfiles } from './profileSummary.ts';
import type { BenchResults } from './results.ts';
import { formatTable } from './table.ts';

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/** The configuration the bridge and functions will actually run with, as they parse it. */
function effectiveKnobs(options: BenchOptions): Record<string, unknown> {
  const bridge = loadBridgeConfig(options.env);
  const functions = loadFunctionConfig(options.env);
  return {
    batchMaxRecords: bridge.batch.maxRecords,
    batchMaxBytes: bridge.batch.maxBytes,
    batchMaxWaitMs: bridge.batch.maxWaitMs,
    bridgeMaxInFlight: bridge.maxInFlight,
    maxAckPending: bridge.maxAckPending,
    ackWaitMs: bridge.ackWaitMs,
    lambdaTimeoutMs: bridge.lambda.timeoutMs,
    databasePoolMax: functions.databasePoolMax,
    registryCacheTtlMs: functions.registryCache.ttlMs,
    logLevel: bridge.logLevel,
    env: options.env,
  };
}

async function serverVersions(): Promise<{ natsServer: string | undefined; postgres: string | undefined }> {
  const config = loadCliConfig();
  let natsServer: string | undefined;
  let pg: string | undefined;
  try {
    const nc = await connectNats(config.nats.url, 'ingest-bench-probe', config.nats.security);
    natsServer = nc.info?.version;
    await nc.close();
  } catch {
    natsServer = undefined;
  }
  const url = new URL(config.databaseUrl);
  url.pathname = '/postgres';
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    pg = row?.server_version;
  } catch {
    pg = undefined;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { natsServer, postgres: pg };
}

function collectProblems(results: BenchResults): void {
  for (const [name, phase] of [
    ['drain', results.drain],
    ['inprocess', results.inprocess],
    ['paced', results.paced],
  ] as const) {
    if (phase !== undefined && !phase.verification.ok) results.problems.push(`${name}: ${phase.verification.problems.join('; ')}`);
  }
  for (const problem of results.ceilings?.problems ?? []) results.problems.push(`ceilings: ${problem}`);
  for (const problem of results.functions?.problems ?? []) results.problems.push(`functions: ${problem}`);
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(options.outDir, { recursive: true });
  const profileDir = options.cpuProfile ? join(options.outDir, `${stamp}-profiles`) : undefined;
  const knobs = effectiveKnobs(options);
  const { outDir: _outDir, ...recorded } = options;
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: { nproc: availableParallelism(), node: process.version, ...(await serverVersions()) },
    options: recorded,
    knobs,
    errors: {},
    problems: [],
  };
  log(
    `phases ${options.phases.join(',')}; ${options.events} events; paced ${options.rate}/s × ${options.duration} s (window ${options.publishWindow}); bridges from ${options.bundle ? 'esbuild bundles' : 'tsx'}; nproc ${results.machine.nproc}`,
  );
  log(`knobs ${JSON.stringify({ ...knobs, env: undefined })}`);
  if (profileDir !== undefined) log(`CPU profiles → ${profileDir}`);

  const phase = async <T>(name: Phase, run: () => Promise<T>): Promise<T | undefined> => {
    if (!options.phases.includes(name)) return undefined;
    log(`${name}: starting`);
    const started = Date.now();
    try {
      const result = await run();
      log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      results.errors[name] = message;
      results.problems.push(`${name} failed: ${(error as Error).message}`);
      log(`${name}: FAILED: ${message}`);
      return undefined;
    }
  };

  const bundles = options.bundle ? await buildBridgeBundles() : undefined;
  const settings: PlaneSettings = { env: options.env, profileDir, bundles };
  try {
    results.drain = await phase('drain', () => runDrain('lambda', options.events, settings));
    results.inprocess = await phase('inprocess', () => runDrain('in-process', options.events, settings));
    results.paced = await phase('paced', () => runPaced(options.rate, options.duration, options.publishWindow, settings));
    results.ceilings = await phase('ceilings', () => runCeilings(options.events, settings));
    results.functions = await phase('functions', () => runFunctions(settings, loadBridgeConfig(options.env).batch.maxRecords));
  } finally {
    bundles?.cleanup();
  }
  try {
    results.cost = estimateCost(results, stageFunctionMemoryMb);
  } catch (error) {
    results.problems.push(`cost: ${(error as Error).message}`);
  }
  collectProblems(results);
  const finished: BenchResults = { ...results, finishedAt: new Date().toISOString() };

  const jsonFile = join(options.outDir, `${stamp}.json`);
  const svgFile = join(options.outDir, `${stamp}.svg`);
  writeFileSync(jsonFile, `${JSON.stringify(finished, null, 2)}\n`);
  writeFileSync(svgFile, renderChart(finished));
  process.stdout.write(`\n${formatTable(finished)}\n\nresults: ${jsonFile}\nchart:   ${svgFile}\n`);
  if (profileDir !== undefined) process.stdout.write(`\n${summariseProfiles([profileDir])}\n`);
  if (finished.problems.length > 0) {
    process.stdout.write(`\nFAILED: ${finished.problems.length} problem(s):\n${finished.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

let interrupted = false;
const interrupt = (signal: string): void => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: removing planes (streams, databases, processes)`);
  void closeAllPlanes().finally(() => process.exit(130));
};
process.on('SIGINT', () => interrupt('SIGINT'));
process.on('SIGTERM', () => interrupt('SIGTERM'));

try {
  process.exitCode = await main();
} catch (error) {
  log(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await closeAllPlanes();
}
// Pools and NATS connections of finished planes are closed; anything left must not keep us alive.
process.exit(process.exitCode);
