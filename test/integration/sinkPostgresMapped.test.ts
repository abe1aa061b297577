import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type EventWriteDeps, writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import type { SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { SinkWriteRecord } from '../../shared/sinks/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import type { PostgresSinkTarget } from '../../shared/sinks/index.ts';
import { createPostgresTableSink, ensurePostgresTable, planPostgresTable, type Sink } from '../../shared/sinks/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

const SCHEMA = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'source', type: 'string' },
    {
      name: 'data',
      type: {
        type: 'record',
        name: 'ReadingData',
        fields: [
          { name: 'value', type: 'double' },
          { name: 'count', type: 'int' },
          { name: 'unit', type: ['null', 'string'], default: null },
          { name: 'tags', type: { type: 'map', values: 'string' } },
        ],
      },
    },
  ],
};

const COLUMNS = { value: 'data.value', count: 'data.count', unit: 'data.unit', tags: 'data.tags', host: 'source' };

function target(table: string, columns: Record<string, string> | undefined = COLUMNS): PostgresSinkTarget {
  return columns === undefined ? { kind: 'postgres', table } : { kind: 'postgres', table, columns };
}

function record(id: string, eventId: string, data: Record<string, unknown>): SinkWriteRecord {
  return {
    id,
    subject: 'metrics.readings.v1',
    event: {
      eventId,
      routeKey: { type: 'metrics.readings', version: 'v1' },
      time: '2026-03-01T12:00:00.000Z',
      source: 'host-a',
      body: { id: eventId, time: '2026-03-01T12:00:00.000Z', source: 'host-a', data: data as SinkWriteRecord['event']['body'][string] },
    },
  };
}

const GOOD = { value: 0.5, count: 3, unit: 'pct', tags: { dc: 'eu-1' } };

describe('PostgreSQL sink with mapped columns (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  let deps: EventWriteDeps;

  /** A mapped table of this suite's layout, for one test alone (no test relies on another's rows). */
  const createReadings = (table: string): Promise<void> => ensurePostgresTable(sql, { table, columns: COLUMNS, schema: SCHEMA });

  /** One sink-write request: all records to the one target. */
  const write = (to: PostgresSinkTarget, records: readonly SinkWriteRecord[]): Promise<SinkWriteResponse> => writeEvents(to, records, deps);

  before(async () => {
    database = await createTestDatabase(`ingest_${uniqueRunId()}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    // The delivery ledger's table (sink_deliveries) comes with the registry migrations.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    deps = { sinks: new Map([['postgres', createPostgresTableSink(sql) as Sink]]), ledger: createPostgresLedger(sql) };
  });

  after(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('the table gets event_id, event_time, typed mapped columns and ingested_at; a hypertable exactly where TimescaleDB is installed', async () => {
    const [installed] = await sql<{ present: boolean }[]>`select exists (select 1 from pg_extension where extname = 'timescaledb') as present`;
    const timescale = installed?.present === true;
    const plan = await planPostgresTable(sql, { table: 'readings', columns: COLUMNS, schema: SCHEMA });
    assert.equal(plan.exists, false);
    assert.equal(plan.hypertable, timescale, `timescaledb installed in this database: ${timescale}`);
    await ensurePostgresTable(sql, { table: 'readings', columns: COLUMNS, schema: SCHEMA });
    const columns = await sql<{ column_name: string; data_type: string; is_nullable: string }[]>`
      select column_name, data_type, is_nullable from information_schema.columns
      where table_name = 'readings' order by ordinal_position`;
    assert.deepEqual(
      columns.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'YES' ? ' null' : ''}`),
      [
        'event_id text',
        'event_time timestamp with time zone',
        'value double precision',
        'count integer',
        'unit text null',
        'tags jsonb',
        'host text',
        'ingested_at timestamp with time zone',
      ],
    );
    const [key] = await sql<{ def: string }[]>`
      select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'readings'::regclass and contype = 'p'`;
    // TimescaleDB requires the partitioning column in every unique key.
    assert.equal(key?.def, timescale ? 'PRIMARY KEY (event_id, event_time)' : 'PRIMARY KEY (event_id)');
    assert.equal((await planPostgresTable(sql, { table: 'readings', columns: COLUMNS, schema: SCHEMA })).exists, true);
  });

  test('a batch lands once through the bulk path; repeats are duplicates; null fills a nullable column', async () => {
    const batch = [record('1', 'm1', GOOD), record('2', 'm2', { ...GOOD, unit: null, value: 99.25 }), record('3', 'm1', GOOD)];
    await createReadings('readings_once');
    const first = await write(target('readings_once'), batch);
    assert.deepEqual(
      first.results.map((r) => r.ok && r.duplicate),
      [false, false, true],
    );
    const again = await write(target('readings_once'), batch.slice(0, 2));
    assert.deepEqual(
      again.results.map((r) => r.ok && r.duplicate),
      [true, true],
    );
    const rows = await sql<{ event_id: string; event_time: Date; value: number; count: number; unit: string | null; tags: unknown; host: string }[]>`
      select event_id, event_time, value, count, unit, tags, host from readings_once order by event_id`;
    assert.equal(rows.length, 2);
    assert.deepEqual(
      { ...rows[0], event_time: rows[0]!.event_time.toISOString() },
      {
        event_id: 'm1',
        event_time: '2026-03-01T12:00:00.000Z',
        value: 0.5,
        count: 3,
        unit: 'pct',
        tags: { dc: 'eu-1' },
        host: 'host-a',
      },
    );
    assert.equal(rows[1]!.unit, null);
    assert.equal(rows[1]!.value, 99.25);
  });

  test('a row the table refuses fails alone; its neighbours land', async () => {
    await createReadings('readings_refused');
    const response = await write(target('readings_refused'), [
      record('1', 'r1', GOOD),
      // 2^40 does not fit the integer column derived from an Avro int (a producer on a newer schema, say).
      record('2', 'r2', { ...GOOD, count: 2 ** 40 }),
      // No value for a not-null column.
      record('3', 'r3', { count: 1, tags: {} }),
      record('4', 'r4', GOOD),
    ]);
    const byId = new Map(response.results.map((r) => [r.id, r]));
    assert.equal(byId.get('1')?.ok, true);
    assert.equal(byId.get('4')?.ok, true);
    for (const id of ['2', '3']) {
      const bad = byId.get(id);
      assert.ok(bad && !bad.ok && bad.failure.reason === 'sink_rejected' && !bad.failure.retryable, JSON.stringify(bad));
    }
    const ids = await sql<{ event_id: string }[]>`select event_id from readings_refused order by 1`;
    assert.deepEqual(
      ids.map((r) => r.event_id),
      ['r1', 'r4'],
    );
  });

  test('a table without a mapped column is a permanent sink_target_missing; after ALTER TABLE it lands', async () => {
    await ensurePostgresTable(sql, 'plain_layout');
    const mapped = { value: 'data.value' };
    const response = await write(target('plain_layout', mapped), [record('1', 'a1', GOOD)]);
    const [missing] = response.results;
    assert.ok(missing && !missing.ok && missing.failure.reason === 'sink_target_missing' && !missing.failure.retryable);
    assert.match(missing.failure.message, /has no column "value"/);
    // The cached shape is read again when a mapped column is not in it: cache it, then widen the table.
    await createReadings('readings_widened');
    const before = await write(target('readings_widened'), [record('1', 'w0', GOOD)]);
    assert.equal(before.results[0]?.ok, true, JSON.stringify(before.results[0]));
    const widened = { ...COLUMNS, extra: 'data.count' };
    await sql`alter table readings_widened add column extra bigint`;
    const after = await write(target('readings_widened', widened), [record('1', 'w1', GOOD)]);
    assert.equal(after.results[0]?.ok, true, JSON.stringify(after.results[0]));
    const [row] = await sql<{ extra: string }[]>`select extra::text from readings_widened where event_id = 'w1'`;
    assert.equal(row?.extra, '3');
  });

  test('a table without a unique key on event_id is refused: writes there could not be idempotent', async () => {
    await sql`create table no_key (event_id text, event_time timestamptz, value double precision)`;
    const response = await write(target('no_key', { value: 'data.value' }), [record('1', 'k1', GOOD)]);
    const [refused] = response.results;
    assert.ok(refused && !refused.ok && refused.failure.reason === 'sink_target_missing');
    assert.match(refused.failure.message, /no unique key on \(event_id\)/);
  });
});
