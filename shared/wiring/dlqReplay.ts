import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ReplayConfig } from '../config/index.ts';
import { type DeadLetterStore, openDeadLetters } from '../deadletters/index.ts';
import { createPostgresLedger } from '../deliveries/index.ts';
import { connectNats, type NatsConnection } from '../nats/index.ts';
import { createSql, type Sql } from '../postgres/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { DecoderCache } from '../stages/index.ts';
import { createReplayCheck } from '../stages/index.ts';
import { createRepublisher } from '../stages/index.ts';
import type { ReplayDeps } from '../stages/index.ts';

type ReplayRuntime = {
  /** Connects on first use and keeps the connection for later invocations of a warm container. */
  deps(): Promise<ReplayDeps>;
  store(): Promise<DeadLetterStore>;
  /** Forgets fan-out delivery state older than the retention; returns the rows removed. */
  pruneDeliveries(): Promise<number>;
  close(): Promise<void>;
};

function createReplayRuntime(config: ReplayConfig, sql?: Sql): ReplayRuntime {
  const db = sql ?? createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: 'ingest-dlq-replay' });
  const routes = createRouteLookup(db, config.registryCache);
  const decoders = new DecoderCache();
  let nc: Promise<NatsConnection> | undefined;
  const connection = (): Promise<NatsConnection> => {
    nc ??= connectNats(config.nats.url, 'ingest-dlq-replay', config.nats.security);
    return nc;
  };
  const store = async (): Promise<DeadLetterStore> => {
    const conn = await connection();
    const deadLetters = openDeadLetters({
      js: jetstream(conn),
      jsm: await jetstreamManager(conn),
      deadLetter: config.nats.deadLetter,
      serverInfo: () => conn.info,
    });
    return deadLetters.store;
  };
  const ledger = createPostgresLedger(db);
  return {
    store,
    pruneDeliveries: () => ledger.prune(config.deliveryRetentionDays),
    async deps() {
      const conn = await connection();
      return {
        store: await store(),
        check: createReplayCheck({ routes, decoders }),
        republish: createRepublisher(jetstream(conn), config.nats.ingest.name),
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

export { createReplayRuntime };
export type { ReplayRuntime };
