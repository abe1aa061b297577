// `npm start`: the whole plane on this machine. Uses NATS_URL / DATABASE_URL when they answer,
// otherwise starts nats-server and PostgreSQL itself; then migrates, seeds what the registry lacks,
// starts serverless-offline and the bridge, checks that events land, and stays up until a signal.
// It owns what it starts: a lock file names the running plane, so a second start refuses, and its
// children end with it however it ends (see infra/local/exitWithLauncher.mjs).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MIGRATIONS_DIR } from '../cli/paths.ts';
import { acquirePlaneLock, type PlaneLock } from '../infra/local/planeLock.ts';
import { assertPortsFree } from '../infra/local/ports.ts';
import { errorMessage, redactUrl } from '../infra/local/probe.ts';
import { type ManagedProcess, startBridge, startOffline } from '../infra/local/processes.ts';
import { describeSeedOutcome, seedRegistryFiles } from '../infra/local/seedRegistry.ts';
import { ensureServices } from '../infra/local/services.ts';
import { migrateRegistry } from '../shared/xregistry/index.ts';
import { sampleEvent } from '../shared/producer/index.ts';
import { loadBridgeConfig, loadCliConfig, loadHttpSinkPolicy, loadLauncherConfig, loadRegistryApiConfig, type NatsSecurity } from '../shared/config/index.ts';
import { connectNats, consumerSettingsFor, ensureTopology } from '../shared/nats/index.ts';
import { createProducer } from '../shared/producer/index.ts';
import { createSql } from '../shared/postgres/index.ts';
import type { RouteRecord } from '../shared/routes/index.ts';

const USAGE = `usage: npm start [-- --help]

Starts the whole plane on this machine and stays up until Ctrl-C (or SIGTERM / SIGHUP): NATS and
PostgreSQL (used when they answer, started otherwise), the registry (migrated; every
infra/registry/*.xreg.json that is new or changed is seeded with only the entities the registry
lacks, so edits made through the API survive a restart), serverless-offline and the bridge.
The operator console is served at http://127.0.0.1:<OFFLINE_HTTP_PORT>/console (docs/console.md).
A second start while one runs says where that one is and exits with status 1.

Settings (environment): NATS_URL, DATABASE_URL, OFFLINE_LAMBDA_PORT (3002), OFFLINE_HTTP_PORT (3000),
STAGE (dev), LOCAL_DATA_DIR (.local: lock file, logs, service data), LOCAL_REGISTRY_DIR
(infra/registry), REGISTRY_API_TOKEN (generated when unset), and the bridge's settings (docs/configuration.md).`;

const say = (line: string): void => void process.stdout.write(`[start] ${line}\n`);

/** Everything this start runs, so that any way out stops it all. */
const children = new Map<string, ManagedProcess>();
let lock: PlaneLock | undefined;
let stopping = false;

async function seedRegistry(
  databaseUrl: string,
  registryDir: string,
  ingest: readonly string[],
  deadLetter: readonly string[],
): Promise<readonly RouteRecord[]> {
  const sql = createSql(databaseUrl, { max: 2, applicationName: 'ingest-start' });
  try {
    const applied = await migrateRegistry(sql, MIGRATIONS_DIR);
    if (applied.length > 0) say(`migrations applied: ${applied.join(', ')}`);
    const seeded = await seedRegistryFiles(sql, registryDir, { ingest, deadLetter, httpSinks: loadHttpSinkPolicy() });
    if (seeded.outcomes.length === 0) say(`registry: no *.xreg.json in ${registryDir}`);
    for (const outcome of seeded.outcomes) say(`registry: ${describeSeedOutcome(outcome, registryDir)}`);
    return seeded.routes;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Publishes a few events and waits until their rows exist: proof that every stage is wired. */
async function selfCheck(
  databaseUrl: string,
  natsUrl: string,
  natsSecurity: NatsSecurity,
  route: RouteRecord,
  table: string,
  timeoutMs: number,
): Promise<void> {
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
      if (Date.now() > deadline) throw new Error(`self-check: only ${row!.count}/3 events reached ${table}; see the logs of serverless-offline and the bridge`);
      await sleep(200);
    }
    say(`self-check: published 3 ${route.subject} events, 3 rows in ${table}`);
  } finally {
    await sql.end({ timeout: 5 });
    await nc.drain();
  }
}

/** Starts a process and restarts it when it dies unexpectedly, so a crashing handler does not end the session. */
function supervise(name: string, launch: () => ManagedProcess): void {
  const run = (): void => {
    const current = launch();
    children.set(name, current);
    if (current.child.pid !== undefined) {
      void lock
        ?.setChild(name, current.child.pid)
        .catch((error: unknown) => say(`could not record ${name} pid ${current.child.pid} in the lock file: ${errorMessage(error)}`));
    }
    current.child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${name} (pid ${current.child.pid}) exited (${signal ?? code}); restarting in 1 s`);
      setTimeout(() => {
        if (!stopping) run();
      }, 1000);
    });
  };
  run();
}

async function stopChildren(bridgeGraceMs: number): Promise<void> {
  // The bridge first: it drains in-flight batches, which need the functions.
  await children.get('bridge')?.stop(bridgeGraceMs);
  await Promise.all([...children.values()].map((child) => child.stop(5000)));
}

/** Ends everything this start runs on SIGINT, SIGTERM or SIGHUP; a second Ctrl-C kills what is left. */
function stopOnSignals(drainTimeoutMs: number, bridgeGraceMs: number): void {
  let killing = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      // Ctrl-C again: no more waiting for the drain. Other repeats are ignored: a closed terminal
      // can deliver SIGHUP twice (from the terminal and from the shell), which must not cut the drain.
      if (signal !== 'SIGINT' || killing) return;
      killing = true;
      say('SIGINT again: killing what is left');
      await Promise.all([...children.values()].map((child) => child.kill()));
      await lock?.release();
      process.exit(130);
    }
    stopping = true;
    say(`${signal}: stopping (the bridge drains for up to ${drainTimeoutMs / 1000} s; Ctrl-C again kills at once)...`);
    await stopChildren(bridgeGraceMs);
    // A second Ctrl-C ended the children; its exit status (130) is the one to report.
    if (killing) return;
    await lock?.release();
    say('stopped. NATS and PostgreSQL keep running; `npm run services:down` stops the ones npm start started.');
    process.exit(0);
  };
  // SIGHUP is a closed terminal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
}

type Configs = {
  readonly cli: ReturnType<typeof loadCliConfig>;
  readonly bridge: ReturnType<typeof loadBridgeConfig>;
  readonly local: ReturnType<typeof loadLauncherConfig>;
  readonly registryApi: ReturnType<typeof loadRegistryApiConfig>;
};
type Services = Awaited<ReturnType<typeof ensureServices>>;

/** NATS and PostgreSQL answering, the registry migrated and seeded, the streams and consumer there. */
async function provision({ cli, bridge, local }: Configs): Promise<{ services: Services; routes: readonly RouteRecord[] }> {
  const services = await ensureServices({ natsUrl: cli.nats.url, databaseUrl: cli.databaseUrl, dataDir: local.dataDir, log: say });
  const routes = await seedRegistry(services.databaseUrl, local.registryDir, cli.nats.ingest.subjects, cli.nats.deadLetter.subjects);
  const nc = await connectNats(services.natsUrl, 'ingest-start', cli.nats.security);
  await ensureTopology(await jetstreamManager(nc), bridge.nats, consumerSettingsFor(bridge));
  await nc.drain();
  say(
    `streams: ${bridge.nats.ingest.name} (${bridge.nats.ingest.subjects.join(', ')}), ${bridge.nats.deadLetter.name} (${bridge.nats.deadLetter.subjects.join(', ')}); consumer ${bridge.nats.consumer}`,
  );
  return { services, routes };
}

/** The environment serverless-offline and the bridge run with. */
function childEnvironment({ local, registryApi }: Configs, services: Services, registryToken: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NATS_URL: services.natsUrl,
    DATABASE_URL: services.databaseUrl,
    LAMBDA_ENDPOINT: `http://127.0.0.1:${local.offlineLambdaPort}`,
    FUNCTION_PREFIX: `ingest-${local.stage}-`,
    // A fresh token per run unless one is given: the local registry API is writable by whoever
    // reads this terminal, and by nobody else.
    REGISTRY_API_TOKEN: registryToken,
    // Links and Location headers name the API where this start serves it (unless one is given).
    REGISTRY_PUBLIC_URL: registryApi.publicUrlDefaulted ? `http://127.0.0.1:${local.offlineHttpPort}` : registryApi.publicUrl,
  };
}

type Logs = { readonly offline: string; readonly bridge: string };

/** serverless-offline (its pid in the lock file) and the supervised bridge. */
async function launch({ local }: Configs, env: NodeJS.ProcessEnv, logs: Logs, bridgeGraceMs: number, planeLock: PlaneLock): Promise<void> {
  say('starting serverless-offline (first start bundles the functions)...');
  const offline = await startOffline({
    stage: local.stage,
    lambdaPort: local.offlineLambdaPort,
    httpPort: local.offlineHttpPort,
    env,
    logFile: logs.offline,
    graceMs: 5000,
  });
  children.set('serverless-offline', offline);
  await planeLock.setChild('serverless-offline', offline.child.pid!);
  offline.child.once('exit', (code, signal) => {
    if (!stopping)
      say(`serverless-offline (pid ${offline.child.pid}) exited (${signal ?? code}); see ${logs.offline} — the bridge will retry invokes until it is back`);
  });
  supervise('bridge', () => startBridge(env, logs.bridge, { graceMs: bridgeGraceMs }));
}

/** What is running where, and commands to try. */
function printWelcome(
  { local, bridge }: Configs,
  services: Services,
  planeLock: PlaneLock,
  logs: Logs,
  registryToken: string,
  example: { readonly subject: string; readonly table: string | undefined },
): void {
  const pid = (name: string): string => String(children.get(name)?.child.pid ?? '?');
  say(`the plane is up (instance ${planeLock.record.instance}, launcher pid ${process.pid}, lock ${planeLock.path}):`);
  say(`  NATS            ${redactUrl(services.natsUrl)}`);
  say(`  PostgreSQL      ${redactUrl(services.databaseUrl)}`);
  say(
    `  functions       http://127.0.0.1:${local.offlineLambdaPort} (serverless-offline pid ${pid('serverless-offline')}, stage ${local.stage}); log ${logs.offline}`,
  );
  say(`  bridge          pid ${pid('bridge')}; log ${logs.bridge}`);
  if (bridge.http.port !== 0) say(`  bridge metrics  http://127.0.0.1:${bridge.http.port}/metrics  (health: /healthz, /readyz)`);
  say(`  registry API    http://127.0.0.1:${local.offlineHttpPort}/  (writes: Authorization: Bearer ${registryToken})`);
  say(`  console         http://127.0.0.1:${local.offlineHttpPort}/console  (writes: the registry token above)`);
  say('try:');
  say(`  npx ingest publish ${example.subject} --count 100`);
  say(`  npx ingest publish ${example.subject} --count 5 --broken truncated`);
  say('  npx ingest dlq list');
  say(`  curl -s 'http://127.0.0.1:${local.offlineHttpPort}/messagegroups?inline=messages'   # the routes`);
  if (example.table !== undefined) say(`  psql ${redactUrl(services.databaseUrl)} -c 'select count(*) from ${example.table}'`);
  say('Ctrl-C stops the bridge (draining in-flight batches) and serverless-offline.');
}

async function main(): Promise<void> {
  const configs: Configs = { cli: loadCliConfig(), bridge: loadBridgeConfig(), local: loadLauncherConfig(), registryApi: loadRegistryApiConfig() };
  const { cli, bridge, local } = configs;
  const bridgeGraceMs = bridge.drainTimeoutMs + 5000;
  // From the start, so a signal during start-up stops what has started.
  stopOnSignals(bridge.drainTimeoutMs, bridgeGraceMs);

  const planeLock = await acquirePlaneLock(local.dataDir, { ports: { lambda: local.offlineLambdaPort, http: local.offlineHttpPort } }, say);
  lock = planeLock;
  await assertPortsFree([
    { port: local.offlineLambdaPort, variable: 'OFFLINE_LAMBDA_PORT' },
    { port: local.offlineHttpPort, variable: 'OFFLINE_HTTP_PORT' },
    // The bridge's metrics and health port: refused here, naming the variable, rather than by a bridge that exits and restarts.
    ...(bridge.http.port === 0 ? [] : [{ port: bridge.http.port, variable: 'BRIDGE_HTTP_PORT' }]),
  ]);
  const { services, routes } = await provision(configs);
  const registryToken = configs.registryApi.writeToken ?? randomBytes(18).toString('base64url');
  const logs: Logs = { offline: join(local.dataDir, 'offline.log'), bridge: join(local.dataDir, 'bridge.log') };
  await launch(configs, childEnvironment(configs, services, registryToken), logs, bridgeGraceMs, planeLock);

  const checked = routes
    .map((route) => ({ route, table: route.sinks.find((sink) => sink.kind === 'postgres')?.table }))
    .find((candidate) => candidate.table !== undefined);
  if (checked === undefined) say('self-check: skipped, no seeded route writes to a PostgreSQL table');
  else await selfCheck(services.databaseUrl, services.natsUrl, cli.nats.security, checked.route, checked.table!, 60_000);
  const subject = checked?.route.subject ?? routes[0]?.subject ?? '<subject>';
  printWelcome(configs, services, planeLock, logs, registryToken, { subject, table: checked?.table });
}

function exitWithUsage(message: string | undefined): never {
  if (message === undefined) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  process.stderr.write(`[start] ${message}\n${USAGE}\n`);
  process.exit(2);
}

// A closed terminal makes every write fail (EIO/EPIPE); stopping cleanly matters more than saying so.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) exitWithUsage(undefined);
if (args.length > 0) exitWithUsage(`unknown argument${args.length > 1 ? 's' : ''}: ${args.join(' ')}`);

main().catch(async (error: unknown) => {
  process.stderr.write(`[start] ${errorMessage(error)}\n`);
  stopping = true;
  await Promise.all([...children.values()].map((child) => child.stop(5000)));
  await lock?.release();
  process.exit(1);
});
