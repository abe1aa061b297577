import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type EventWriteDeps, writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import type { SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { SinkWriteRecord, ValidatedEvent } from '../../shared/sinks/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { createRouteLookup, RegistryUnavailableError } from '../../shared/routes/index.ts';
import type { PostgresSinkTarget } from '../../shared/sinks/index.ts';
import { createPostgresTableSink, ensurePostgresTable, type Sink } from '../../shared/sinks/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, uniqueRunId } from '../helpers/names.ts';

const EVENTS: PostgresSinkTarget = { kind: 'postgres', table: 'events' };

function record(id: string, eventId: string, body: Record<string, unknown> = {}): SinkWriteRecord {
  const event: ValidatedEvent = {
    eventId,
    routeKey: { type: 'a.b', version: 'v1' },
    time: '2026-01-01T00:00:00.000Z',
    source: 'test',
    body: { id: eventId, data: { value: 1, ...body } } as ValidatedEvent['body'],
  };
  return { id, subject: 'a.b.v1', event };
}

describe('PostgreSQL table sink (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  let deps: EventWriteDeps;

  /** One sink-write request: every record to the one target (the events table unless named). */
  const write = (records: SinkWriteRecord[], target: PostgresSinkTarget = EVENTS, using: EventWriteDeps = deps): Promise<SinkWriteResponse> =>
    writeEvents(target, records, using);

  before(async () => {
    database = await createTestDatabase(`ingest_${uniqueRunId()}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    // The delivery ledger's table (sink_deliveries) comes with the registry migrations.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    await ensurePostgresTable(sql, 'events');
    deps = { sinks: new Map([['postgres', createPostgresTableSink(sql) as Sink]]), ledger: createPostgresLedger(sql) };
  });

  after(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('writes a batch once; a repeat, even inside one batch, is reported as duplicate', async () => {
    const first = await write([record('1', 'e1'), record('2', 'e2'), record('3', 'e1')]);
    assert.deepEqual(
      first.results.map((r) => r.ok && r.duplicate),
      [false, false, true],
    );
    const again = await write([record('4', 'e1'), record('5', 'e2')]);
    assert.deepEqual(
      again.results.map((r) => r.ok && r.duplicate),
      [true, true],
    );
    const rows = await sql<{ event_id: string }[]>`select event_id from events where event_id in ('e1', 'e2') order by 1`;
    assert.deepEqual(
      rows.map((r) => r.event_id),
      ['e1', 'e2'],
    );
  });

  test('values with quotes, backslashes, commas, braces and nulls land exactly as sent', async () => {
    const awkward = { text: 'a "quoted", \\back\\slashed {braced} NULL value\twith tab\nand newline', empty: '' };
    const sourceless = record('2', 'q2', awkward);
    const nullSource: SinkWriteRecord = { ...sourceless, event: { ...sourceless.event, source: null } };
    const response = await write([record('1', 'q1 "with" \\ odd, id', awkward), nullSource]);
    assert.deepEqual(
      response.results.map((r) => r.ok && r.duplicate),
      [false, false],
    );
    const rows = await sql<{ event_id: string; source: string | null; payload: unknown }[]>`
      select event_id, source, payload from events where event_id in ('q1 "with" \\ odd, id', 'q2') order by event_id`;
    assert.deepEqual(
      rows.map((r) => r.event_id),
      ['q1 "with" \\ odd, id', 'q2'],
    );
    assert.deepEqual(
      rows.map((r) => r.source),
      ['test', null],
    );
    for (const row of rows) assert.deepEqual(row.payload, { value: 1, ...awkward });
  });

  test('a row PostgreSQL refuses fails alone; its neighbours land', async () => {
    const response = await write([record('1', 'n1'), record('2', 'n2', { text: 'nul \u0000 byte' }), record('3', 'n3')]);
    const byId = new Map(response.results.map((r) => [r.id, r]));
    assert.equal(byId.get('1')?.ok, true);
    assert.equal(byId.get('3')?.ok, true);
    const bad = byId.get('2');
    assert.ok(bad !== undefined && !bad.ok, JSON.stringify(bad));
    assert.equal(bad.failure.reason, 'sink_rejected');
    assert.equal(bad.failure.retryable, false);
    assert.match(bad.failure.message, /^PostgreSQL rejected the row: unsupported Unicode escape sequence/);
    const rows = await sql<{ event_id: string }[]>`select event_id from events where event_id like 'n%' order by 1`;
    assert.deepEqual(
      rows.map((r) => r.event_id),
      ['n1', 'n3'],
    );
  });

  test('a missing table is a permanent sink_target_missing for its records only', async () => {
    // One request per target, as the bridge sends them, side by side.
    const responses = await Promise.all([write([record('1', 'm1')], { kind: 'postgres', table: 'no_such_table' }), write([record('2', 'm2')])]);
    const results = responses.flatMap((response) => response.results);
    const [missing, landed] = [results.find((r) => r.id === '1'), results.find((r) => r.id === '2')];
    assert.ok(missing !== undefined && !missing.ok, JSON.stringify(missing));
    assert.equal(missing.failure.reason, 'sink_target_missing');
    assert.equal(missing.failure.retryable, false);
    assert.equal(missing.failure.message, 'table no_such_table does not exist');
    assert.deepEqual(landed, { id: '2', ok: true, duplicate: false });
  });

  test('an unreachable database is a retryable sink_unavailable, and a retryable registry_unavailable', async () => {
    const port = await freePort();
    const down = createSql(`postgres://postgres@127.0.0.1:${port}/nothing`, { max: 1, applicationName: 'ingest-test' });
    try {
      const response = await write([record('1', 'u1')], EVENTS, { ...deps, sinks: new Map([['postgres', createPostgresTableSink(down) as Sink]]) });
      const [result] = response.results;
      assert.ok(result !== undefined && !result.ok, JSON.stringify(result));
      assert.equal(result.failure.reason, 'sink_unavailable');
      assert.equal(result.failure.retryable, true);
      assert.equal(result.failure.message, `PostgreSQL unavailable: connect ECONNREFUSED 127.0.0.1:${port}`);
      const lookup = createRouteLookup(down, { ttlMs: 1000, negativeTtlMs: 1000 });
      await assert.rejects(
        lookup.lookup({ type: 'a.b', version: 'v1' }, 'route'),
        (error: unknown) => error instanceof RegistryUnavailableError && error.retryable,
      );
    } finally {
      await down.end({ timeout: 1 });
    }
  });
});
