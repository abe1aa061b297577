import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXAMPLE_REGISTRY } from '../../cli/paths.ts';
import { runRoute } from '../../shared/stages/route/route.ts';
import { runValidate } from '../../shared/stages/validate/validate.ts';
import { encodeAvro, frame, SchemaCache } from '../../shared/avro/index.ts';
import { DecoderCache } from '../../shared/stages/validate/decoders.ts';
import type { RawRecord } from '../../shared/contracts/index.ts';
import type { RouteKey } from '../../shared/names/index.ts';
import { createRouteLookupOver, type RouteLookup, type RouteRecord, type SchemaVersionRef } from '../../shared/routes/index.ts';
import { parseSinkTarget } from '../../shared/sinks/targets.ts';

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
function lookupOf(routes: RouteRecord[], down = false): RouteLookup {
  const versions: SchemaVersionRef[] = [v1];
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
  test('decodes a valid record into an event with its id, route key and ISO time', async () => {
    const { results } = await runValidate({ records: [raw('1', encodeAvro(type, event))] }, { routes: lookupOf([route!]), decoders: new DecoderCache() });
    const [result] = results;
    assert.ok(result?.ok);
    assert.equal(result.event.eventId, 'evt-1');
    assert.deepEqual(result.event.routeKey, { type: 'metrics.cpu.usage', version: 'v1' });
    assert.equal(result.event.time, '2025-01-01T00:00:00.000Z');
    assert.equal(result.event.source, 'collector-a');
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
