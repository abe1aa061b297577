import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { createReplayRuntime } from '../../shared/wiring/dlqReplay.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadReplayConfig } from '../../shared/config/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

/** Delivery rows by age: the event id says how old its row is. */
const AGES: readonly (readonly [eventId: string, age: string])[] = [
  ['e-60d', '60 days'],
  ['e-16d', '16 days'],
  ['e-15d-1h', '15 days 1 hour'],
  ['e-14d-23h', '14 days 23 hours'],
  ['e-2d', '2 days'],
  ['e-1h', '1 hour'],
  ['e-now', '0 seconds'],
];

describe('fan-out delivery state in PostgreSQL is pruned after SINK_DELIVERY_RETENTION_DAYS (real PostgreSQL)', () => {
  const runId = uniqueRunId();
  let sql: Sql;
  let url: string;
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    const database = await createTestDatabase(`ingest_${runId}`);
    drop = database.drop;
    url = database.url;
    sql = createSql(url, { max: 2, applicationName: 'ingest-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
  });

  after(async () => {
    await sql?.end({ timeout: 5 }).catch(() => {});
    await drop?.();
  });

  /** One row per age for each sink, dated in the database's own clock. */
  async function seed(sinks: readonly string[]): Promise<void> {
    await sql`delete from sink_deliveries`;
    for (const sink of sinks) {
      for (const [eventId, age] of AGES) {
        await sql`insert into sink_deliveries (event_id, sink, delivered_at) values (${eventId}, ${sink}, now() - ${age}::interval)`;
      }
    }
  }

  async function remaining(): Promise<string[]> {
    const rows = await sql<{ event_id: string; sink: string }[]>`select event_id, sink from sink_deliveries order by sink, delivered_at`;
    return rows.map((row) => `${row.sink} ${row.event_id}`);
  }

  test("dlq-replay's runtime prunes rows older than the configured retention, keeps newer ones, and says how many went", async () => {
    const sinks = ['http:https://a.example/hook', 'postgres:events'];
    await seed(sinks);
    const config = loadReplayConfig({ DATABASE_URL: url, SINK_DELIVERY_RETENTION_DAYS: '15' });
    const runtime = createReplayRuntime(config, sql);
    try {
      assert.equal(await runtime.pruneDeliveries(), 3 * sinks.length);
      const kept = ['e-14d-23h', 'e-2d', 'e-1h', 'e-now'];
      assert.deepEqual(
        await remaining(),
        sinks.flatMap((sink) => kept.map((eventId) => `${sink} ${eventId}`)),
      );
      assert.equal(await runtime.pruneDeliveries(), 0, 'a second run finds nothing more to prune');
      assert.equal((await remaining()).length, kept.length * sinks.length);
    } finally {
      await runtime.close();
    }
  });

  test('the retention is the configured number of days: 1 day keeps only the rows of the last day', async () => {
    await seed(['nats:out.subject']);
    const ledger = createPostgresLedger(sql);
    assert.equal(await ledger.prune(1), 5);
    assert.deepEqual(await remaining(), ['nats:out.subject e-1h', 'nats:out.subject e-now']);
    // What is kept is still delivered state: a retry skips the sink for those events only.
    assert.deepEqual([...(await ledger.delivered('nats:out.subject', ['e-1h', 'e-now', 'e-2d']))].sort(), ['e-1h', 'e-now']);
  });
});
