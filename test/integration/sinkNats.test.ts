import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type EventWriteDeps, writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import type { SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../../shared/sinks/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { connectNats, type NatsConnection } from '../../shared/nats/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import type { SinkTarget } from '../../shared/sinks/index.ts';
import { createNatsSubjectSink, type Sink } from '../../shared/sinks/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, uniqueRunId, waitFor } from '../helpers/names.ts';

function record(id: string, eventId: string): SinkWriteRecord {
  return {
    id,
    subject: 'metrics.nats.v1',
    event: {
      eventId,
      routeKey: { type: 'metrics.nats', version: 'v1' },
      time: '2026-01-01T00:00:00.000Z',
      source: 'test',
      body: { id: eventId, time: '2026-01-01T00:00:00.000Z', data: { value: Number(id) } },
    },
  };
}

function failed(result: SinkWriteResult | undefined): Extract<SinkWriteResult, { ok: false }> {
  assert.ok(result !== undefined && !result.ok, JSON.stringify(result));
  return result;
}

describe('NATS subject sink (real NATS JetStream, delivery state in real PostgreSQL)', () => {
  const runId = uniqueRunId();
  const stream = `SINK_${runId}`;
  const nats = loadCliConfig().nats;
  const opened: NatsConnection[] = [];
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  let deps: EventWriteDeps;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;

  /** One sink-write request: all records to the one target. */
  const write = (target: SinkTarget, records: readonly SinkWriteRecord[], using: EventWriteDeps = deps): Promise<SinkWriteResponse> =>
    writeEvents(target, records, using);

  before(async () => {
    database = await createTestDatabase(`ingest_${runId}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    // The delivery ledger's table (sink_deliveries) comes with the registry migrations.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    admin = await connectNats(nats.url, `ingest-test-${runId}`, nats.security);
    jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${runId}.out.>`], duplicate_window: nanos(120_000) });
    const sinks = new Map([
      [
        'nats',
        createNatsSubjectSink({
          connect: async () => {
            const nc = await connectNats(nats.url, `ingest-sink-test-${runId}`, nats.security);
            opened.push(nc);
            return nc;
          },
          ingestSubjects: [`${runId}.in.>`],
          deadLetterSubjects: [`${runId}dlq.>`],
          publishTimeoutMs: 2000,
        }) as Sink,
      ],
    ]);
    deps = { sinks, ledger: createPostgresLedger(sql) };
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    for (const nc of opened) await nc.close();
    await admin?.close();
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('republishes each event once as JSON with Nats-Msg-Id = event id; repeats are reported as duplicates', async () => {
    const sink: SinkTarget = { kind: 'nats', subject: `${runId}.out.cpu` };
    const first = await write(sink, [record('1', 'n1'), record('2', 'n2')]);
    assert.deepEqual(
      first.results.map((r) => r.ok && r.duplicate),
      [false, false],
    );
    // A redelivery, and the same event inside one batch twice: the stream drops both repeats.
    const again = await write(sink, [record('3', 'n1'), record('4', 'n3'), record('5', 'n3')]);
    assert.ok(again.results.every((r) => r.ok));
    assert.deepEqual(again.results.map((r) => r.ok && r.duplicate).sort(), [false, true, true]);
    const info = await jsm.streams.info(stream);
    assert.equal(info.state.messages, 3);
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    assert.ok(stored !== null);
    assert.equal(stored.subject, `${runId}.out.cpu`);
    assert.equal(stored.header.get('Nats-Msg-Id'), 'n1');
    assert.equal(stored.header.get('Content-Type'), 'application/json');
    assert.equal(stored.header.get('Ingest-Subject'), 'metrics.nats.v1');
    assert.deepEqual(stored.json(), { id: 'n1', time: '2026-01-01T00:00:00.000Z', data: { value: 1 } });
    // One connection, opened on first use and reused.
    assert.equal(opened.length, 1);
  });

  test('a fan-out event this subject already has (PostgreSQL delivery state) is answered as duplicate without publishing', async () => {
    const subject = `${runId}.out.fan`;
    const tracked = (id: string, eventId: string): SinkWriteRecord => ({ ...record(id, eventId), trackDelivery: true });
    // A plain subscriber sees every publish, even one the stream would drop as a repeat.
    const seen: string[] = [];
    const subscription = admin.subscribe(subject, {
      callback: (_error, message) => {
        seen.push(message.headers?.get('Nats-Msg-Id') ?? message.string());
      },
    });
    try {
      await admin.flush();
      const first = await write({ kind: 'nats', subject }, [tracked('1', 'f1')]);
      assert.deepEqual(first.results, [{ id: '1', ok: true, duplicate: false }]);
      const rows = await sql<{ sink: string; event_id: string }[]>`select sink, event_id from sink_deliveries where event_id = 'f1'`;
      assert.deepEqual(
        rows.map((row) => `${row.sink} ${row.event_id}`),
        [`nats:${subject} f1`],
      );
      const again = await write({ kind: 'nats', subject }, [tracked('2', 'f1')]);
      assert.deepEqual(again.results, [{ id: '2', ok: true, duplicate: true }]);
      // A marker on the sink's own connection arrives after anything that connection published before it.
      opened[0]!.publish(subject, 'marker');
      await waitFor(
        'the marker',
        async () => seen,
        (messages) => messages.includes('marker'),
        10_000,
      );
      assert.deepEqual(seen, ['f1', 'marker'], 'f1 was published once');
    } finally {
      subscription.unsubscribe();
    }
  });

  test('a subject no stream captures is a permanent failure', async () => {
    // One request per target, as the bridge sends them, side by side.
    const responses = await Promise.all([
      write({ kind: 'nats', subject: `${runId}.nowhere.cpu` }, [record('1', 'x1')]),
      write({ kind: 'nats', subject: `${runId}.out.ok` }, [record('2', 'x2')]),
    ]);
    const results = responses.flatMap((response) => response.results);
    const missing = failed(results.find((r) => r.id === '1'));
    assert.equal(missing.failure.reason, 'sink_target_missing');
    assert.equal(missing.failure.retryable, false);
    assert.match(missing.failure.message, new RegExp(`no stream captures subject ${runId}\\.nowhere\\.cpu`));
    // The other target's record is not affected.
    assert.equal(results.find((r) => r.id === '2')?.ok, true);
  });

  test('a subject the ingest stream captures is refused without publishing (a loop)', async () => {
    const before = (await jsm.streams.info(stream)).state.messages;
    const response = await write({ kind: 'nats', subject: `${runId}.in.cpu.usage.v1` }, [record('1', 'l1')]);
    const loop = failed(response.results[0]);
    assert.equal(loop.failure.retryable, false);
    assert.match(loop.failure.message, /captured by the ingest stream .*loop/);
    assert.equal((await jsm.streams.info(stream)).state.messages, before);
  });

  test('an unreachable NATS server is a retryable sink_unavailable', async () => {
    const port = await freePort();
    const down = createNatsSubjectSink({
      connect: () => connectNats(`nats://127.0.0.1:${port}`, 'ingest-sink-test-down'),
      ingestSubjects: [],
      deadLetterSubjects: [],
      publishTimeoutMs: 500,
    });
    const response = await write({ kind: 'nats', subject: `${runId}.out.cpu` }, [record('1', 'd1')], { ...deps, sinks: new Map([['nats', down as Sink]]) });
    const unavailable = failed(response.results[0]);
    assert.equal(unavailable.failure.reason, 'sink_unavailable');
    assert.equal(unavailable.failure.retryable, true);
  });
});
