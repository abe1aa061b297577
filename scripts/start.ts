// `npm start`: the whole plane on this machine. Uses NATS_URL / DATABASE_URL when they answer,
// otherwise starts nats-server and PostgreSQL itself; then migrates, seeds the example route,
// starts serverless-offline and the bridge, checks that events land, and stays up until Ctrl-C.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MIGRATIONS_DIR } from '../cli/paths.ts';
import { redactUrl } from '../infra/local/probe.ts';
import { type ManagedProcess, startBridge, startOffline } from '../infra/local/processes.ts';
import { ensureServices } from '../infra/local/services.ts';
import { loadRegistry, migrateRegistry, sampleEvent } from '../shared/admin/index.ts';
import { loadBridgeConfig, loadCliConfig, loadHttpSinkPolicy, loadLocalConfig, loadRegistryApiConfig } from '../shared/config/index.ts';
import { randomBytes } from 'node:crypto';
import { connectNats, consumerSettingsFor, createProducer, ensureTopology } from '../shared/nats/index.ts';
import { createSql } from '../shared/postgres/index.ts';
import type { NatsSecurity } from '../shared/config/index.ts';
import type { RouteRecord } from '../shared/registry/index.ts';

const DATA_DIR = fileURLToPath(new URL('../.local/', import.meta.url));
const REGISTRY_DIR = fileURLToPath(new URL('../infra/registry/', import.meta.url));

// Everything this script started, so a failure half-way does not leave orphans behind.
const children: ManagedProcess[] = [];
let stopping = false;

const say = (line: string): void => void process.stdout.write(`[start] ${line}\n`);

async function seedRegistry(databaseUrl: string, ingest: readonly string[], deadLetter: readonly string[]): Promise<RouteRecord[]> {
  const sql = createSql(databaseUrl, { max: 2, applicationName: 'ingest-start' });
  try {
    const applied = await migrateRegistry(sql, MIGRATIONS_DIR);
    if (applied.length > 0) say(`migrations applied: ${applied.join(', ')}`);
    const routes: RouteRecord[] = [];
    for (const file of (await readdir(REGISTRY_DIR)).filter((name) => name.endsWith('.xreg.json')).sort()) {
      const document: unknown = JSON.parse(await readFile(join(REGISTRY_DIR, file), 'utf8'));
      routes.push(...(await loadRegistry(sql, document, { ingest, deadLetter, httpSinks: loadHttpSinkPolicy() })));
      say(`registry: loaded ${file}`);
    }
    return routes;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Publishes a few events and waits until their rows exist: proof that every stage is wired. */
async function selfCheck(databaseUrl: string, natsUrl: string, natsSecurity: NatsSecurity, route: RouteRecord, timeoutMs: number): Promise<void> {
  const table = route.sinks.find((sink) => sink.kind === 'postgres')?.table;
  if (table === undefined) return;
  const nc = await connectNats(natsUrl, 'ingest-start', natsSecurity);
  const sql = createSql(databaseUrl, { max: 1, applicationName: 'ingest-start' });
  try {
    const events = [sampleEvent(route), sampleEvent(route), sampleEvent(route)];
    const producer = createProducer(jetstream(nc));
    for (const event of events) await producer.publish(route, event);
    const ids = events.map((event) => event.id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await sql<{ count: number }[]>`
        select count(*)::int as count from ${sql(table)} where event_id in ${sql(ids)}`;
      if (row!.count === ids.length) break;
      if (Date.now() > deadline) throw new Error(`self-check: only ${row!.count}/3 events reached ${table}; see .local/*.log`);
      await sleep(200);
    }
    say(`self-check: published 3 ${route.subject} events, 3 rows in ${table}`);
  } finally {
    await sql.end({ timeout: 5 });
    await nc.drain();
  }
}

/** Restarts a process that dies unexpectedly, so a crashing handler does not end the session. */
function supervise(name: string, launch: () => Promise<ManagedProcess>, stopping: () => boolean): { current: () => ManagedProcess | undefined } {
  let current: ManagedProcess | undefined;
  const run = async (): Promise<void> => {
    current = await launch();
    children.push(current);
    current.child.once('exit', (code, signal) => {
      if (stopping()) return;
      say(`${name} exited (${signal ?? code}); restarting in 1 s`);
      setTimeout(() => void run().catch((error: unknown) => say(`${name} restart failed: ${(error as Error).message}`)), 1000);
    });
  };
  void run().catch((error: unknown) => say(`${name} failed to start: ${(error as Error).message}`));
  return { current: () => current };
}

async function main(): Promise<void> {
  const cli = loadCliConfig();
  const bridge = loadBridgeConfig();
  const local = loadLocalConfig();
  const services = await ensureServices({ natsUrl: cli.nats.url, databaseUrl: cli.databaseUrl, dataDir: DATA_DIR, log: say });
  const routes = await seedRegistry(services.databaseUrl, cli.nats.ingest.subjects, cli.nats.deadLetter.subjects);

  const nc = await connectNats(services.natsUrl, 'ingest-start', cli.nats.security);
  await ensureTopology(await jetstreamManager(nc), bridge.nats, consumerSettingsFor(bridge));
  await nc.drain();
  say(`streams: ${bridge.nats.ingest.name} (${bridge.nats.ingest.subjects.join(', ')}), ${bridge.nats.deadLetter.name} (${bridge.nats.deadLetter.subjects.join(', ')}); consumer ${bridge.nats.consumer}`);

  const endpoint = `http://127.0.0.1:${local.offlineLambdaPort}`;
  const registryToken = loadRegistryApiConfig().writeToken ?? randomBytes(18).toString('base64url');
  const env = {
    ...process.env,
    NATS_URL: services.natsUrl,
    DATABASE_URL: services.databaseUrl,
    LAMBDA_ENDPOINT: endpoint,
    FUNCTION_PREFIX: `ingest-${local.stage}-`,
    // A fresh token per run unless one is given: the local registry API is writable by whoever
    // reads this terminal, and by nobody else.
    REGISTRY_API_TOKEN: registryToken,
  };
  say('starting serverless-offline (first start bundles the functions)...');
  const offline = await startOffline({
    stage: local.stage,
    lambdaPort: local.offlineLambdaPort,
    httpPort: local.offlineHttpPort,
    env,
    logFile: join(DATA_DIR, 'offline.log'),
  });
  children.push(offline);
  offline.child.once('exit', (code) => {
    if (!stopping) say(`serverless-offline exited (${code}); see .local/offline.log — the bridge will retry invokes until it is back`);
  });
  const bridgeProcess = supervise('bridge', async () => startBridge(env, join(DATA_DIR, 'bridge.log')), () => stopping);

  const example = routes[0];
  if (example !== undefined) await selfCheck(services.databaseUrl, services.natsUrl, cli.nats.security, example, 60_000);

  say('the plane is up:');
  say(`  NATS            ${redactUrl(services.natsUrl)}`);
  say(`  PostgreSQL      ${redactUrl(services.databaseUrl)}`);
  say(`  functions       ${endpoint} (serverless-offline, stage ${local.stage}); log .local/offline.log`);
  say(`  bridge          log .local/bridge.log`);
  say(`  registry API    http://127.0.0.1:${local.offlineHttpPort}/  (writes: Authorization: Bearer ${registryToken})`);
  say('try:');
  say('  npx ingest publish metrics.cpu.usage.v1 --count 100');
  say('  npx ingest publish metrics.cpu.usage.v1 --count 5 --broken truncated');
  say('  npx ingest dlq list');
  say(`  curl -s http://127.0.0.1:${local.offlineHttpPort}/schemagroups/metrics/schemas/cpu-usage`);
  say(`  psql ${redactUrl(services.databaseUrl)} -c 'select count(*) from metric_events'`);
  say('Ctrl-C stops the bridge (draining in-flight batches) and serverless-offline.');

  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await bridgeProcess.current()?.stop(bridge.drainTimeoutMs + 5000);
    await offline.stop();
    say('stopped. NATS and PostgreSQL keep running; `npm run services:down` stops the ones npm start started.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch(async (error: unknown) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  stopping = true;
  await Promise.all(children.map((child) => child.stop(5000)));
  process.exit(1);
});
