import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type EventWriteDeps, writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import type { SinkWriteRecord } from '../../shared/sinks/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { hasEventTime } from '../../shared/sinks/postgres/columns.ts';
import { createPostgresTableSink, ensurePostgresTable, planPostgresTable, postgresTableDdl, type Sink } from '../../shared/sinks/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

/** A reading with its own `time`: the kind of route that gets a hypertable where TimescaleDB is installed. */
const TIMED = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'data', type: { type: 'record', name: 'ReadingData', fields: [{ name: 'value', type: 'double' }] } },
  ],
};

/** The same reading without a `time` of its own: event_time would be the publish time. */
const UNTIMED = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'data', type: { type: 'record', name: 'ReadingData', fields: [{ name: 'value', type: 'double' }] } },
  ],
};

const COLUMNS = { value: 'data.value' };

function record(id: string, eventId: string, time: string): SinkWriteRecord {
  return {
    id,
    subject: 'metrics.readings.v1',
    event: {
      eventId,
      routeKey: { type: 'metrics.readings', version: 'v1' },
      time,
      source: 'host-a',
      body: { id: eventId, time, data: { value: 0.5 } },
    },
  };
}

async function primaryKeyOf(sql: Sql, table: string): Promise<string | undefined> {
  const [key] = await sql<{ def: string }[]>`
    select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = ${table}::regclass and contype = 'p'`;
  return key?.def;
}

/**
 * The hypertable path runs wherever the server offers TimescaleDB: this suite installs the
 * extension in its own database when `pg_available_extensions` lists it, and then expects
 * hypertables. Where the server has no TimescaleDB, the same tests prove that the plan is a plain
 * table for that reason alone, and that the hypertable DDL could not have run there.
 */
describe('TimescaleDB hypertables for PostgreSQL sinks (real PostgreSQL; TimescaleDB where the server has it)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  let deps: EventWriteDeps;
  let timescale: boolean;

  before(async () => {
    database = await createTestDatabase(`ingest_${uniqueRunId()}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    // The delivery ledger's table (sink_deliveries) comes with the registry migrations.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    const [offered] = await sql<{ available: boolean }[]>`
      select exists (select 1 from pg_available_extensions where name = 'timescaledb') as available`;
    if (offered?.available === true) {
      // Offered but not loadable (not in shared_preload_libraries) is a server to fix, so this fails loudly.
      await sql`create extension if not exists timescaledb`.catch((error: unknown) => {
        throw new Error(`the server offers timescaledb, but this test could not install it: ${(error as Error).message}`, { cause: error });
      });
    }
    const [installed] = await sql<{ present: boolean }[]>`
      select exists (select 1 from pg_extension where extname = 'timescaledb') as present`;
    timescale = installed?.present === true;
    deps = { sinks: new Map([['postgres', createPostgresTableSink(sql) as Sink]]), ledger: createPostgresLedger(sql) };
  });

  after(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('a route with its own time gets a hypertable on event_time exactly where the timescaledb extension is installed', async () => {
    const spec = { table: 'timed_readings', columns: COLUMNS, schema: TIMED };
    // The schema condition holds, so the extension alone decides.
    assert.equal(hasEventTime(TIMED), true);
    const plan = await planPostgresTable(sql, spec);
    assert.equal(plan.exists, false);
    assert.equal(plan.hypertable, timescale, `timescaledb installed: ${timescale}`);
    const hypertableDdl = postgresTableDdl({ ...spec, hypertable: true });
    assert.match(
      hypertableDdl,
      /primary key \(event_id, event_time\)[\s\S]*select create_hypertable\('"timed_readings"', 'event_time', if_not_exists => true\)/,
    );
    if (timescale) {
      assert.equal(plan.ddl, hypertableDdl);
      await ensurePostgresTable(sql, spec);
      const dimensions = await sql<{ column_name: string }[]>`
        select column_name from timescaledb_information.dimensions where hypertable_name = 'timed_readings'`;
      assert.deepEqual(
        dimensions.map((d) => d.column_name),
        ['event_time'],
      );
      assert.equal(await primaryKeyOf(sql, 'timed_readings'), 'PRIMARY KEY (event_id, event_time)');
    } else {
      assert.equal(plan.ddl, postgresTableDdl({ ...spec, hypertable: false }));
      assert.doesNotMatch(plan.ddl, /create_hypertable/);
      // Why a plain table is the only right plan here: the hypertable DDL cannot run on this server.
      await assert.rejects(
        sql.begin((tx) => tx.unsafe(hypertableDdl)),
        (error: unknown) => /function create_hypertable\(.*\) does not exist/.test((error as Error).message),
      );
      assert.equal((await planPostgresTable(sql, spec)).exists, false, 'the failed DDL left no table behind');
      await ensurePostgresTable(sql, spec);
      assert.equal(await primaryKeyOf(sql, 'timed_readings'), 'PRIMARY KEY (event_id)');
    }
  });

  test('the table planned for a timed route stores each event once: a redelivery with the same time is a duplicate', async () => {
    const spec = { table: 'timed_writes', columns: COLUMNS, schema: TIMED };
    await ensurePostgresTable(sql, spec);
    assert.equal(await primaryKeyOf(sql, 'timed_writes'), timescale ? 'PRIMARY KEY (event_id, event_time)' : 'PRIMARY KEY (event_id)');
    const target = { kind: 'postgres', table: 'timed_writes', columns: COLUMNS } as const;
    const batch = [record('1', 'h1', '2026-03-01T12:00:00.000Z'), record('2', 'h2', '2026-03-02T12:00:00.000Z')];
    const first = await writeEvents(target, batch, deps);
    assert.deepEqual(
      first.results.map((r) => r.ok && r.duplicate),
      [false, false],
    );
    const again = await writeEvents(target, [...batch].reverse(), deps);
    assert.deepEqual(
      again.results.map((r) => r.ok && r.duplicate),
      [true, true],
    );
    const rows = await sql<{ event_id: string; event_time: Date }[]>`select event_id, event_time from timed_writes order by event_id`;
    assert.deepEqual(
      rows.map((r) => `${r.event_id} ${r.event_time.toISOString()}`),
      ['h1 2026-03-01T12:00:00.000Z', 'h2 2026-03-02T12:00:00.000Z'],
    );
  });

  test('a route without its own time gets a plain table keyed on event_id, with or without TimescaleDB', async () => {
    const spec = { table: 'untimed_readings', columns: COLUMNS, schema: UNTIMED };
    const plan = await planPostgresTable(sql, spec);
    assert.equal(plan.hypertable, false);
    assert.doesNotMatch(plan.ddl, /create_hypertable/);
    await ensurePostgresTable(sql, spec);
    assert.equal(await primaryKeyOf(sql, 'untimed_readings'), 'PRIMARY KEY (event_id)');
  });
});
