import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Context, Tracer } from '@opentelemetry/api';
import { loadReplayConfig, type ReplayConfig } from '../config/index.ts';
import { type DeadLetterStore, openDeadLetters } from '../deadletters/index.ts';
import { createPostgresLedger } from '../deliveries/index.ts';
import type { Logger } from '../logging/index.ts';
import { dlqReplayView, functionTelemetry } from '../middleware/index.ts';
import { connectNats, type NatsConnection } from '../nats/index.ts';
import type { Sql } from '../postgres/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { createReplayCheck, createRepublisher, DecoderCache, type ReplayDeps, type ReplayInvokeEvent, type ReplayReport } from '../stages/index.ts';
import type { Tracing } from '../telemetry/index.ts';
import { createFunctionBase, createFunctionSql } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

type ReplayRuntime = {
  /**
   * Connects on first use and keeps the connection for later invocations of a warm container.
   * `run`: the invocation's trace context, which each republish's span links to.
   */
  deps(run?: Context): Promise<ReplayDeps>;
  store(): Promise<DeadLetterStore>;
  /** The runtime's NATS connection (opened on first use), for callers that read more of the server, like the console. */
  connection(): Promise<NatsConnection>;
  /** The runtime's JetStream manager, opened once with the store. */
  manager(): Promise<JetStreamManager>;
  /** Forgets fan-out delivery state older than the retention; returns the rows removed. */
  pruneDeliveries(): Promise<number>;
  close(): Promise<void>;
};

/**
 * dlq-replay's pieces over a configuration already loaded; `ingest dlq` uses it too, and tests may
 * give their own pool. `tracer` (dlq-replay's, when tracing is on) gives each republish its span.
 */
function createReplayRuntime(config: ReplayConfig, sql?: Sql, tracer?: Tracer): ReplayRuntime {
  const db = sql ?? createFunctionSql('dlq-replay', config);
  const routes = createRouteLookup(db, config.registryCache);
  const decoders = new DecoderCache();
  let nc: Promise<NatsConnection> | undefined;
  const connection = (): Promise<NatsConnection> => {
    nc ??= connectNats(config.nats.url, 'ingest-dlq-replay', config.nats.security);
    return nc;
  };
  // Opened once per runtime and kept with the connection: the console asks for the store on every
  // request, and jetstreamManager() is a round trip to the server. A failed open is not kept.
  let opened: Promise<{ readonly jsm: JetStreamManager; readonly store: DeadLetterStore }> | undefined;
  const open = (): Promise<{ readonly jsm: JetStreamManager; readonly store: DeadLetterStore }> => {
    opened ??= (async () => {
      const conn = await connection();
      const jsm = await jetstreamManager(conn);
      const deadLetters = openDeadLetters({ js: jetstream(conn), jsm, deadLetter: config.nats.deadLetter, serverInfo: () => conn.info });
      return { jsm, store: deadLetters.store };
    })().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  const store = async (): Promise<DeadLetterStore> => (await open()).store;
  const ledger = createPostgresLedger(db);
  return {
    store,
    connection,
    manager: async () => (await open()).jsm,
    pruneDeliveries: () => ledger.prune(config.deliveryRetentionDays),
    async deps(run) {
      const conn = await connection();
      return {
        store: await store(),
        check: createReplayCheck({ routes, decoders }),
        republish: createRepublisher(jetstream(conn), config.nats.ingest.name, tracer, run),
        maxReplays: config.maxReplays,
        limit: config.limit,
        ratePerSecond: config.ratePerSecond,
      };
    },
    async close() {
      if (nc !== undefined) await (await nc).drain();
      if (sql === undefined) await db.end({ timeout: 5 });
    },
  };
}

/** What the dlq-replay function runs with; its NATS connection is made on the first invocation. */
type DlqReplayFunctionDeps = WithPowertools<ReplayInvokeEvent, ReplayReport> & {
  readonly logger: Logger;
  /** The ingest stream: a bare sequence given as a letter id is one of its messages. */
  readonly ingestStream: string;
  readonly runtime: ReplayRuntime;
  readonly tracing: Tracing;
};

function buildDlqReplayDeps(): DlqReplayFunctionDeps {
  const config = loadReplayConfig();
  const { logger, sql, powertools, tracing } = createFunctionBase('dlq-replay', config);
  return {
    logger,
    ingestStream: config.nats.ingest.name,
    runtime: createReplayRuntime(config, sql, tracing.enabled ? tracing.tracer : undefined),
    powertools: functionTelemetry(powertools, dlqReplayView),
    tracing,
  };
}

export { buildDlqReplayDeps, createReplayRuntime };
export type { DlqReplayFunctionDeps, ReplayRuntime };
