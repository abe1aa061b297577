import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXAMPLE_REGISTRY } from '../../cli/paths.ts';
import { runRoute } from '../../shared/stages/route/route.ts';
import { runValidate } from '../../shared/stages/validate/validate.ts';
import { runSinkWrite } from '../../shared/stages/sinkWrite/sinkWrite.ts';
import { encodeAvro, frame, SchemaCache } from '../../shared/avro/index.ts';
import { DecoderCache } from '../../shared/stages/validate/decoders.ts';
import type { PinnedRecord, RawRecord, SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { RouteKey } from '../../shared/names/index.ts';
import { createRouteLookupOver, type RouteLookup, type RouteRecord, type SchemaVersionRef } from '../../shared/routes/index.ts';
import { parseSinkTarget } from '../../shared/sinks/targets.ts';
import type { Sink, SinkWriteRecord } from '../../shared/sinks/index.ts';
import { memoryLedger } from '../helpers/memoryLedger.ts';

const definition = (
  JSON.parse(readFileSync(EXAMPLE_REGISTRY, 'utf8')) as {
    schemagroups: { metrics: { schemas: { 'cpu-usage': { versions: { '1': { schema: unknown } } } } } };
  }
).schemagroups.metrics.schemas['cpu-usage'].versions['1'].schema;
const v1: SchemaVersionRef = {
  xid: '/schemagroups/metrics/schemas/cpu-usage/versions/1',
  schemaXid: '/schemagroups/metrics/schemas/cpu-usage',
  format: 'Avro/1.12',
  definition,
  numericId: 7,
  fingerprint: '0000000000000000',
  cacheKey: '7@1',
};
const route: RouteRecord = {
  key: { type: 'metrics.cpu.usage', version: 'v1' },
  subject: 'metrics.cpu.usage.v1',
  messageXid: '/messagegroups/metrics/messages/metrics.cpu.usage.v1',
  schema: v1,
  sinks: [{ kind: 'postgres', table: 'metric_events' }],
  deadLetterSubject: 'deadletter.metrics.cpu.usage.v1',
  retryBudget: undefined,
  wireFormat: 'raw',
  epoch: 1,
};
const type = new SchemaCache().get('t', definition);

/**
 * The registry's own lookup (createRouteLookupOver: unknown route, unknown writer, outage) over an
 * in-memory table of routes and versions, so every failure reason a test sees comes from the code
 * under test; only the two table reads are stand-ins for PostgreSQL's.
 */
function lookupOf(routes: RouteRecord[], down = false, versions: readonly SchemaVersionRef[] = [v1]): RouteLookup {
  const unreachable = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  return createRouteLookupOver(
    {
      async route(key) {
        if (down) throw unreachable();
        return routes.find((r) => r.key.type === key.type && r.key.version === key.version);
      },
      async writer(schemaXid, writer) {
        if (down) throw unreachable();
        return versions.find(
          (v) => v.schemaXid === schemaXid && ('numericId' in writer ? v.numericId === writer.numericId : v.fingerprint === writer.fingerprint),
        );
      },
    },
    { ttlMs: 0, negativeTtlMs: 0 },
  );
}

/** A lookup that counts its calls, to check that a batch asks once per distinct route and writer. */
function countingLookup(routes: RouteRecord[]): { lookup: RouteLookup; calls: { require: number; writer: number } } {
  const inner = lookupOf(routes);
  const calls = { require: 0, writer: 0 };
  return {
    calls,
    lookup: {
      lookup: inner.lookup,
      require: (key, stage) => {
        calls.require++;
        return inner.require(key, stage);
      },
      writer: (r, writer, stage) => {
        calls.writer++;
        return inner.writer(r, writer, stage);
      },
    },
  };
}

function raw(id: string, payload: Buffer, subject = 'metrics.cpu.usage.v1'): RawRecord {
  return { id, subject, payload: payload.toString('base64'), publishedAtMs: Date.parse('2026-05-05T00:00:00.000Z') };
}

const event = {
  id: 'evt-1',
  type: 'metrics.cpu.usage',
  version: 'v1',
  source: 'collector-a',
  time: new Date(1735689600000),
  data: { name: 'cpu_usage', value: 72.5, unit: null, tags: {} },
};

describe('validate', () => {
  test('answers a valid record with a verdict: its event id and the versions it decoded with, no body', async () => {
    const { results } = await runValidate({ records: [raw('1', encodeAvro(type, event))] }, { routes: lookupOf([route!]), decoders: new DecoderCache() });
    assert.deepEqual(results, [{ id: '1', ok: true, eventId: 'evt-1', reader: { numericId: 7, cacheKey: '7@1' }, writer: { numericId: 7, cacheKey: '7@1' } }]);
  });

  test('each bad record fails alone with its reason, route key and dead-letter subject', async () => {
    const good = encodeAvro(type, event);
    const { results } = await runValidate(
      {
        records: [
          raw('ok', good),
          raw('empty-id', encodeAvro(type, { ...event, id: ' ' })),
          raw('truncated', good.subarray(0, 10)),
          raw('no-route', good, 'metrics.cpu.usage.v7'),
          raw('bad-subject', good, 'metrics.cpu'),
        ],
      },
      { routes: lookupOf([route!]), decoders: new DecoderCache() },
    );
    const byId = new Map(results.map((r) => [r.id, r]));
    assert.equal(byId.get('ok')?.ok, true);
    const expect = (id: string, reason: string, routeKey: RouteKey | undefined, deadLetterSubject: string | undefined): void => {
      const result = byId.get(id);
      assert.ok(result && !result.ok, id);
      assert.equal(result.failure.reason, reason, id);
      assert.equal(result.failure.retryable, false, id);
      assert.deepEqual(result.routeKey, routeKey, id);
      assert.equal(result.deadLetterSubject, deadLetterSubject, id);
    };
    expect('empty-id', 'missing_event_id', { type: 'metrics.cpu.usage', version: 'v1' }, 'deadletter.metrics.cpu.usage.v1');
    expect('truncated', 'avro_decode_failed', { type: 'metrics.cpu.usage', version: 'v1' }, 'deadletter.metrics.cpu.usage.v1');
    expect('no-route', 'unknown_route', { type: 'metrics.cpu.usage', version: 'v7' }, undefined);
    expect('bad-subject', 'invalid_subject', undefined, undefined);
  });

  test('a registry outage is a retryable failure, not a verdict on the event', async () => {
    const { results } = await runValidate({ records: [raw('1', encodeAvro(type, event))] }, { routes: lookupOf([route!], true), decoders: new DecoderCache() });
    const [result] = results;
    assert.ok(result && !result.ok);
    assert.deepEqual([result.failure.reason, result.failure.retryable], ['registry_unavailable', true]);
  });
});

describe('validate with a framed wire format', () => {
  test('reads the writer schema from a schema-id frame, and dead-letters an unknown id', async () => {
    const framed: RouteRecord = { ...route, wireFormat: 'schema-id' };
    const body = encodeAvro(type, event);
    const { results } = await runValidate(
      {
        records: [
          raw('known', frame('schema-id', body, { schemaId: 7 })),
          raw('unknown', frame('schema-id', body, { schemaId: 8 })),
          raw('short', Buffer.from([0, 0])),
        ],
      },
      { routes: lookupOf([framed]), decoders: new DecoderCache() },
    );
    const byId = new Map(results.map((r) => [r.id, r]));
    assert.equal(byId.get('known')?.ok, true);
    const unknown = byId.get('unknown');
    assert.ok(unknown && !unknown.ok);
    assert.deepEqual(
      { reason: unknown.failure.reason, retryable: unknown.failure.retryable, deadLetterSubject: unknown.deadLetterSubject },
      { reason: 'unknown_schema_id', retryable: false, deadLetterSubject: 'deadletter.metrics.cpu.usage.v1' },
    );
    assert.match(unknown.failure.message, /schema id 8 is not a version of \/schemagroups\/metrics\/schemas\/cpu-usage/);
    const short = byId.get('short');
    assert.ok(short && !short.ok && short.failure.reason === 'invalid_frame');
  });
});

describe('route', () => {
  test('answers the sink and dead-letter subject, or unknown_sink for a stored sink it cannot trust', async () => {
    // A stored sink of a kind this deployment does not have, as the registry's own parser reports it.
    const stored = parseSinkTarget({ kind: 's3', bucket: 'b' });
    assert.ok(!stored.ok);
    const broken: RouteRecord = {
      ...route!,
      key: { type: 'metrics.cpu.usage', version: 'v2' },
      subject: 'metrics.cpu.usage.v2',
      sinks: [{ kind: 'invalid', problem: stored.problem }],
    };
    const { results } = await runRoute(
      {
        records: [
          { id: '1', subject: 'metrics.cpu.usage.v1' },
          { id: '2', subject: 'metrics.cpu.usage.v2' },
          { id: '3', subject: 'nope' },
        ],
      },
      { routes: lookupOf([route!, broken]) },
    );
    const [one, two, three] = results;
    assert.ok(one?.ok && one.deadLetterSubject === 'deadletter.metrics.cpu.usage.v1');
    assert.deepEqual(one.sinks, [{ kind: 'postgres', table: 'metric_events' }]);
    assert.ok(two && !two.ok && two.failure.reason === 'unknown_sink' && /s3/.test(two.failure.message));
    assert.ok(three && !three.ok && three.failure.reason === 'invalid_subject');
  });
});

describe('per-request lookups', () => {
  test('validate looks up each subject and writer once per batch and answers every record in order', async () => {
    const framed: RouteRecord = { ...route, wireFormat: 'schema-id' };
    const body = frame('schema-id', encodeAvro(type, event), { schemaId: 7 });
    const other = frame('schema-id', encodeAvro(type, event), { schemaId: 8 });
    const { lookup, calls } = countingLookup([framed]);
    const records = [
      ...Array.from({ length: 50 }, (_, index) => raw(`a${index}`, body)),
      raw('unknown-id', other),
      raw('no-route', body, 'metrics.cpu.usage.v7'),
      raw('no-route-2', body, 'metrics.cpu.usage.v7'),
      raw('b', body),
    ];
    const { results } = await runValidate({ records }, { routes: lookup, decoders: new DecoderCache() });
    assert.deepEqual(
      results.map((r) => r.id),
      records.map((r) => r.id),
    );
    assert.deepEqual(calls, { require: 2, writer: 2 });
    assert.equal(results.filter((r) => r.ok).length, 51);
    const failures = results.filter((r) => !r.ok).map((r) => (r.ok ? '' : `${r.id}:${r.failure.reason}`));
    assert.deepEqual(failures, ['unknown-id:unknown_schema_id', 'no-route:unknown_route', 'no-route-2:unknown_route']);
  });

  test('route looks up each subject once per batch and answers every record in order', async () => {
    const { lookup, calls } = countingLookup([route]);
    const records = [
      ...Array.from({ length: 20 }, (_, index) => ({ id: `r${index}`, subject: 'metrics.cpu.usage.v1' })),
      { id: 'bad', subject: 'nope' },
      { id: 'last', subject: 'metrics.cpu.usage.v1' },
    ];
    const { results } = await runRoute({ records }, { routes: lookup });
    assert.deepEqual(
      results.map((r) => r.id),
      records.map((r) => r.id),
    );
    assert.equal(calls.require, 1);
    const last = results.at(-1);
    assert.ok(last?.ok && last.sinks.length === 1 && last.sinks[0]?.kind === 'postgres' && last.deadLetterSubject === 'deadletter.metrics.cpu.usage.v1');
    const bad = results.find((r) => r.id === 'bad');
    assert.ok(bad && !bad.ok && bad.failure.reason === 'invalid_subject');
  });
});

describe('sink-write decodes what validate pinned', () => {
  /** Validate's verdict on `record` as the bridge turns it into sink-write's record: the same payload string and the verdict's pins. */
  async function pinned(record: RawRecord, routes: RouteLookup): Promise<PinnedRecord> {
    const [verdict] = (await runValidate({ records: [record] }, { routes, decoders: new DecoderCache() })).results;
    assert.ok(verdict?.ok, 'validate passes the record');
    const { eventId, reader, writer } = verdict;
    return { ...record, eventId, reader, writer };
  }

  /** Runs sink-write for `records` against a stand-in table sink; answers and what the sink was handed. */
  async function sinkWrite(records: PinnedRecord[], routes: RouteLookup): Promise<{ response: SinkWriteResponse; written: SinkWriteRecord[] }> {
    const written: SinkWriteRecord[] = [];
    const sink = {
      kind: 'postgres',
      async write(_target: unknown, batch: readonly SinkWriteRecord[]) {
        written.push(...batch);
        return batch.map((r) => ({ id: r.id, ok: true as const, duplicate: false }));
      },
    } as unknown as Sink;
    const response = await runSinkWrite(
      { target: { kind: 'postgres', table: 'metric_events' }, records },
      { routes, decoders: new DecoderCache(), sinks: new Map([['postgres', sink]]), ledger: memoryLedger() },
    );
    return { response, written };
  }

  test('hands the sink the event validate decoded: id, route key, ISO time, source and body', async () => {
    const routes = lookupOf([route]);
    const { response, written } = await sinkWrite([await pinned(raw('1', encodeAvro(type, event)), routes)], routes);
    assert.deepEqual(response.results, [{ id: '1', ok: true, duplicate: false }]);
    assert.equal(written.length, 1);
    const [record] = written;
    assert.equal(record?.event.eventId, 'evt-1');
    assert.deepEqual(record?.event.routeKey, { type: 'metrics.cpu.usage', version: 'v1' });
    assert.equal(record?.event.time, '2025-01-01T00:00:00.000Z');
    assert.equal(record?.event.source, 'collector-a');
    assert.deepEqual(record?.event.body.data, { name: 'cpu_usage', value: 72.5, unit: null, tags: {} });
  });

  test('a pinned version the registry no longer has as it was is a retryable registry_changed of stage validate, and nothing is written', async () => {
    const framed: RouteRecord = { ...route, wireFormat: 'schema-id' };
    const before = lookupOf([framed]);
    const record = await pinned(raw('1', frame('schema-id', encodeAvro(type, event), { schemaId: 7 })), before);
    // The route's reader was rewritten since (a new epoch), the route was deleted, or the writer pin is stale.
    const rewritten = lookupOf([{ ...framed, schema: { ...v1, cacheKey: '7@2' } }]);
    const cases: [string, PinnedRecord, RouteLookup][] = [
      ['reader rewritten', record, rewritten],
      ['route deleted', record, lookupOf([])],
      ['writer pin stale', { ...record, writer: { numericId: 7, cacheKey: '7@0' } }, before],
      ['writer gone', { ...record, payload: frame('schema-id', encodeAvro(type, event), { schemaId: 9 }).toString('base64') }, before],
    ];
    for (const [name, pinnedRecord, routes] of cases) {
      const { response, written } = await sinkWrite([pinnedRecord], routes);
      const [result] = response.results;
      assert.ok(result && !result.ok, name);
      assert.deepEqual([result.failure.stage, result.failure.reason, result.failure.retryable], ['validate', 'registry_changed', true], name);
      assert.deepEqual(written, [], name);
    }
  });

  test("when the route's default version moved on after validate, sink-write decodes into the reader validate pinned and writes", async () => {
    const record = await pinned(raw('1', encodeAvro(type, event)), lookupOf([route]));
    // v2 adds a field with a default; the route now reads v2, but this event was validated into v1.
    const withExtra = definition as { fields: unknown[] };
    const v2: SchemaVersionRef = {
      ...v1,
      xid: `${v1.schemaXid}/versions/2`,
      definition: { ...withExtra, fields: [...withExtra.fields, { name: 'extra', type: 'string', default: 'x' }] },
      numericId: 8,
      fingerprint: '0000000000000001',
      cacheKey: '8@1',
    };
    const moved = lookupOf([{ ...route, schema: v2 }], false, [v1, v2]);
    const { response, written } = await sinkWrite([record], moved);
    assert.deepEqual(response.results, [{ id: '1', ok: true, duplicate: false }]);
    assert.equal(written[0]?.event.eventId, 'evt-1');
    assert.equal('extra' in (written[0]?.event.body ?? {}), false, 'decoded into v1, as validate did');
  });

  test('a record that does not decode fails alone, as validate fails it: stage validate, the same reason; its neighbours are written', async () => {
    const routes = lookupOf([route]);
    const good = await pinned(raw('good', encodeAvro(type, event)), routes);
    const cases: [string, Buffer][] = [
      ['truncated', encodeAvro(type, event).subarray(0, 10)],
      ['empty-id', encodeAvro(type, { ...event, id: ' ' })],
    ];
    for (const [id, payload] of cases) {
      const [expected] = (await runValidate({ records: [raw(id, payload)] }, { routes, decoders: new DecoderCache() })).results;
      assert.ok(expected && !expected.ok, id);
      const { response, written } = await sinkWrite([good, { ...good, id, payload: payload.toString('base64') }], routes);
      const failed = response.results.find((r) => r.id === id);
      assert.ok(failed && !failed.ok, id);
      assert.deepEqual(failed.failure, expected.failure, id);
      assert.deepEqual([failed.routeKey, failed.deadLetterSubject], [expected.routeKey, expected.deadLetterSubject], id);
      assert.deepEqual(
        written.map((r) => r.id),
        ['good'],
        id,
      );
    }
  });

  test('a payload that decodes to another event id than validate found is retried, not written', async () => {
    const routes = lookupOf([route]);
    const record = await pinned(raw('1', encodeAvro(type, event)), routes);
    const { response, written } = await sinkWrite([{ ...record, eventId: 'evt-other' }], routes);
    const [result] = response.results;
    assert.ok(result && !result.ok);
    assert.deepEqual([result.failure.stage, result.failure.reason, result.failure.retryable], ['validate', 'registry_changed', true]);
    assert.deepEqual(written, []);
  });

  test('requests that only record or check deliveries look nothing up and decode nothing', async () => {
    const { lookup, calls } = countingLookup([route]);
    const ledger = memoryLedger();
    const recorded = await runSinkWrite(
      {
        target: { kind: 'postgres', table: 'metric_events' },
        records: [{ id: '1', subject: 'metrics.cpu.usage.v1', eventId: 'evt-1' }],
        recordDeliveryOnly: true,
      },
      { routes: lookup, decoders: new DecoderCache(), sinks: new Map([['postgres', { kind: 'postgres' } as unknown as Sink]]), ledger },
    );
    assert.deepEqual(recorded.results, [{ id: '1', ok: true, duplicate: true }]);
    assert.deepEqual([...ledger.rows], ['postgres:metric_events|evt-1']);
    assert.deepEqual(calls, { require: 0, writer: 0 });
  });
});
