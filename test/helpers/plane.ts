import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { EXAMPLE_REGISTRY, MIGRATIONS_DIR } from '../../cli/paths.ts';
import { loadRegistry, migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadBridgeConfig, loadCliConfig, loadHttpSinkPolicy, type BridgeConfig } from '../../shared/config/index.ts';
import { type ManagedProcess, startBridge, startOffline } from '../../infra/local/processes.ts';
import { type DeadLetter, type DeadLetters, openDeadLetters } from '../../shared/deadletters/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import type { RouteRecord } from '../../shared/routes/index.ts';
import { createTestDatabase } from './database.ts';
import { freePort, runStreamsEnv, uniqueRunId, waitFor } from './names.ts';

type Env = Record<string, string>;

/** What one bridge process settled, from its `bridge stopped` line (see BridgeStats in bridge/stats.ts). */
type SettledCounts = {
  readonly committed: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly retried: number;
  readonly batches: number;
};

/** One line of a process's JSON log. */
type LogLine = { readonly level: string; readonly msg: string } & Readonly<Record<string, unknown>>;

/**
 * Where one event could have been counted twice. Rows cannot repeat an event id (it is the sink
 * table's key), so doubling shows elsewhere: an event that is both a row and a dead letter, or
 * two letters for one original message (their id is the original's stream and sequence).
 */
type Doubling = { readonly rowAndLetter: readonly string[]; readonly repeatedLetters: readonly string[] };

/**
 * A whole plane for one test run: its own database, streams, subjects and consumer, a
 * serverless-offline on free ports and a bridge process, all against the real services.
 */
type TestPlane = {
  readonly runId: string;
  readonly env: Env;
  readonly bridgeConfig: BridgeConfig;
  readonly sql: Sql;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly route: RouteRecord;
  readonly offline: ManagedProcess;
  bridge: ManagedProcess;
  /** The current bridge's own log file (each start gets a new one). */
  bridgeLog: string;
  readonly logDir: string;
  /** The registry HTTP API served by serverless-offline, and the token writes need. */
  readonly registryUrl: string;
  readonly registryToken: string;
  /** The plane's dead-letter stream and object store bucket, as the bridge and dlq-replay see them. */
  readonly deadLetterStore: DeadLetters['store'];
  countRows(): Promise<number>;
  /** Events counted twice anywhere the plane could double them; both lists empty when none was. */
  doubling(): Promise<Doubling>;
  deadLetters(): Promise<DeadLetter[]>;
  pending(): Promise<{ pending: number; ackPending: number }>;
  /** Starts a bridge (the plane's environment with `overrides`) with a log file of its own. */
  startBridge(overrides?: Env): ManagedProcess;
  /** Stops the current bridge with SIGTERM (it drains) and returns what it settled in its life. */
  stopBridge(): Promise<SettledCounts>;
  /** The current bridge's log so far, one object per line. */
  bridgeLogLines(): Promise<LogLine[]>;
  /** Starts serverless-offline again on the same ports (after a kill). */
  restartOffline(): Promise<ManagedProcess>;
  close(): Promise<void>;
};

type ExampleDocument = {
  messagegroups: Record<
    string,
    { messages: Record<string, { protocoloptions: { subject: string }; ingestion: { deadlettersubject: string; wireformat: string } }> }
  >;
};

/** The example registry with this run's subjects: one route, `<runId>.cpu.usage.v1`. */
async function exampleDocumentFor(runId: string, wireFormat: string): Promise<ExampleDocument> {
  const document = JSON.parse(await readFile(EXAMPLE_REGISTRY, 'utf8')) as ExampleDocument;
  for (const group of Object.values(document.messagegroups)) {
    const renamed: ExampleDocument['messagegroups'][string]['messages'] = {};
    for (const message of Object.values(group.messages)) {
      const subject = message.protocoloptions.subject.replace(/^metrics\./, `${runId}.`);
      message.protocoloptions.subject = subject;
      message.ingestion.deadlettersubject = `${runId}dlq.${subject.slice(runId.length + 1)}`;
      message.ingestion.wireformat = wireFormat;
      renamed[subject] = message;
    }
    group.messages = renamed;
  }
  return document;
}

type TestPlaneOptions = {
  readonly bridgeEnv?: Env;
  readonly wireFormat?: string;
  /** Servers of the plane's own (fault tests); default: the machine's NATS and PostgreSQL. */
  readonly natsUrl?: string;
  readonly databaseServerUrl?: string;
};

async function createTestPlane(options: TestPlaneOptions = {}): Promise<TestPlane> {
  const runId = uniqueRunId();
  const database = await createTestDatabase(`ingest_${runId}`, options.databaseServerUrl);
  const [lambdaPort, httpPort] = [await freePort(), await freePort()];
  const base = loadCliConfig();
  const env: Env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    LOG_LEVEL: 'warn',
    NATS_URL: options.natsUrl ?? base.nats.url,
    DATABASE_URL: database.url,
    ...runStreamsEnv(runId),
    LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
    FUNCTION_PREFIX: 'ingest-test-',
    BATCH_MAX_WAIT_MS: '20',
    RETRY_BASE_DELAY_MS: '200',
    RETRY_MAX_DELAY_MS: '2000',
    REGISTRY_CACHE_TTL_MS: '500',
    // Short, so messages a killed bridge held come back quickly.
    ACK_WAIT_MS: '5000',
    LAMBDA_TIMEOUT_MS: '4000',
    REGISTRY_NEGATIVE_CACHE_TTL_MS: '200',
    REGISTRY_API_TOKEN: `token-${runId}-${runId}`,
    REGISTRY_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    // Off unless a test asks for it (bridgeEnv): tests start bridges side by side, and the default port would collide.
    BRIDGE_HTTP_PORT: '0',
    ...options.bridgeEnv,
  };
  const bridgeConfig = loadBridgeConfig(env);
  const logDir = tmpdir();
  const sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
  const cleanups: (() => Promise<void>)[] = [database.drop, () => sql.end({ timeout: 5 })];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
  };
  try {
    await migrateRegistry(sql, MIGRATIONS_DIR);
    const [route] = await loadRegistry(sql, await exampleDocumentFor(runId, options.wireFormat ?? 'raw'), {
      ingest: bridgeConfig.nats.ingest.subjects,
      deadLetter: bridgeConfig.nats.deadLetter.subjects,
      httpSinks: loadHttpSinkPolicy(env),
    });
    const nc = await connectNats(bridgeConfig.nats.url, `ingest-test-${runId}`, bridgeConfig.nats.security);
    const jsm = await jetstreamManager(nc);
    cleanups.push(async () => {
      await jsm.streams.delete(bridgeConfig.nats.ingest.name).catch(() => false);
      await jsm.streams.delete(bridgeConfig.nats.deadLetter.name).catch(() => false);
      await jsm.streams.delete(advisoryTopology(bridgeConfig.nats).stream).catch(() => false);
      await jsm.streams.delete(`OBJ_${bridgeConfig.nats.deadLetter.payloadBucket}`).catch(() => false);
      await jsm.streams.delete(`KV_${bridgeConfig.nats.figuresBucket}`).catch(() => false);
      await nc.close();
    });
    await ensureTopology(jsm, bridgeConfig.nats, consumerSettingsFor(bridgeConfig));
    const { store: deadLetterStore } = openDeadLetters({ js: jetstream(nc), jsm, deadLetter: bridgeConfig.nats.deadLetter, serverInfo: () => nc.info });
    const offlineOptions = { stage: 'test', lambdaPort, httpPort, env, logFile: join(logDir, `ingest-offline-${runId}.log`) };
    let offline = await startOffline(offlineOptions);
    cleanups.push(() => offline.stop());
    let bridgeStarts = 0;
    const bridgeLogFile = (): string => join(logDir, `ingest-bridge-${runId}-${++bridgeStarts}.log`);
    // The bridge logs at info, so its `bridge stopped` line (what it settled) is kept; the functions stay at warn.
    const launchBridge = (overrides: Env = {}): { bridge: ManagedProcess; log: string } => {
      const log = bridgeLogFile();
      return { bridge: startBridge({ ...env, LOG_LEVEL: 'info', ...overrides }, log), log };
    };
    const readLog = async (file: string): Promise<LogLine[]> =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    const first = launchBridge();
    const plane: TestPlane = {
      runId,
      env,
      bridgeConfig,
      sql,
      nc,
      js: jetstream(nc),
      jsm,
      route: route!,
      offline,
      bridge: first.bridge,
      bridgeLog: first.log,
      logDir,
      registryUrl: `http://127.0.0.1:${httpPort}`,
      registryToken: env.REGISTRY_API_TOKEN!,
      deadLetterStore,
      async countRows() {
        const [row] = await sql<{ count: number }[]>`select count(*)::int as count from metric_events`;
        return row!.count;
      },
      async doubling() {
        const letters = await plane.deadLetters();
        const letterEventIds = letters.flatMap((letter) => (letter.eventId === null ? [] : [letter.eventId]));
        const rowAndLetter = (
          await sql<{ event_id: string }[]>`
          select event_id from metric_events where event_id = any(${letterEventIds}::text[]) order by event_id`
        ).map((row) => row.event_id);
        const perId = new Map<string, number>();
        for (const letter of letters) perId.set(letter.id, (perId.get(letter.id) ?? 0) + 1);
        const repeatedLetters = [...perId].filter(([, count]) => count > 1).map(([id]) => id);
        return { rowAndLetter, repeatedLetters };
      },
      async deadLetters() {
        return (await deadLetterStore.list(Number.MAX_SAFE_INTEGER)).map((stored) => stored.letter);
      },
      async pending() {
        const info = await jsm.consumers.info(bridgeConfig.nats.ingest.name, bridgeConfig.nats.consumer);
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      },
      startBridge(overrides) {
        const started = launchBridge(overrides);
        plane.bridge = started.bridge;
        plane.bridgeLog = started.log;
        return plane.bridge;
      },
      async stopBridge() {
        // A SIGTERM before the bridge set its handlers would kill it without its line: wait until it consumes.
        const { child } = plane.bridge;
        await waitFor(
          `the bridge (${plane.bridgeLog}) to be consuming`,
          async () => ({
            exited: child.exitCode !== null || child.signalCode !== null,
            consuming: (await readLog(plane.bridgeLog)).some((line) => line.msg === 'bridge consuming'),
          }),
          (state) => state.exited || state.consuming,
        );
        await plane.bridge.stop(30_000);
        const stopped = (await readLog(plane.bridgeLog)).filter((line) => line.msg === 'bridge stopped').at(-1);
        if (stopped === undefined)
          throw new Error(
            `the bridge (${plane.bridgeLog}) ended without its "bridge stopped" line: exit ${plane.bridge.child.exitCode ?? plane.bridge.child.signalCode}`,
          );
        const count = (name: string): number => {
          const value = stopped[name];
          if (typeof value !== 'number') throw new Error(`"bridge stopped" has no number ${name}: ${JSON.stringify(stopped)}`);
          return value;
        };
        return {
          committed: count('committed'),
          duplicates: count('duplicates'),
          deadLettered: count('deadLettered'),
          retried: count('retried'),
          batches: count('batches'),
        };
      },
      bridgeLogLines: () => readLog(plane.bridgeLog),
      async restartOffline() {
        offline = await startOffline(offlineOptions);
        (plane as { offline: ManagedProcess }).offline = offline;
        return offline;
      },
      close: cleanup,
    };
    cleanups.push(() => plane.bridge.stop());
    return plane;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export { createTestPlane, exampleDocumentFor };
export type { Doubling, LogLine, SettledCounts, TestPlane, TestPlaneOptions };
