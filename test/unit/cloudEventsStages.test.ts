import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXAMPLE_REGISTRY } from '../../cli/paths.ts';
import { encodeAvro, frame, SchemaCache } from '../../shared/avro/index.ts';
import { binaryHeaders, checkedAttributes, STRUCTURED_CONTENT_TYPE, type StageHeaders, structuredPayload } from '../../shared/cloudevents/index.ts';
import type { PinnedRecord, RawRecord, ValidateResult } from '../../shared/contracts/index.ts';
import { createRouteLookupOver, type RouteLookup, type RouteRecord, type SchemaVersionRef } from '../../shared/routes/index.ts';
import { decodePinned } from '../../shared/stages/sinkWrite/decodePinned.ts';
import { DecoderCache } from '../../shared/stages/validate/decoders.ts';
import { runValidate } from '../../shared/stages/validate/validate.ts';

// Validate and sink-write over the CloudEvents binding, with the registry's own lookup over an
// in-memory table (only the two table reads stand in for PostgreSQL's).

const exampleDefinition = (
  JSON.parse(readFileSync(EXAMPLE_REGISTRY, 'utf8')) as {
    schemagroups: { metrics: { schemas: { 'cpu-usage': { versions: { '1': { schema: unknown } } } } } };
  }
).schemagroups.metrics.schemas['cpu-usage'].versions['1'].schema;
const readingDefinition = { type: 'record', name: 'Reading', fields: [{ name: 'value', type: 'double' }] };

function version(schema: string, numericId: number, definition: unknown): SchemaVersionRef {
  const schemaXid = `/schemagroups/g/schemas/${schema}`;
  return { xid: `${schemaXid}/versions/1`, schemaXid, format: 'Avro/1.12', definition, numericId, fingerprint: '0', cacheKey: `${numericId}@1` };
}

function routeOf(type: string, schema: SchemaVersionRef, options: { envelope?: string; wireFormat?: string } = {}): RouteRecord {
  return {
    key: { type, version: 'v1' },
    subject: `${type}.v1`,
    messageXid: `/messagegroups/g/messages/${type}.v1`,
    schema,
    sinks: [{ kind: 'postgres', table: 'events' }],
    deadLetterSubject: `deadletter.${type}.v1`,
    retryBudget: undefined,
    wireFormat: options.wireFormat ?? 'raw',
    ...(options.envelope === undefined ? {} : { envelope: options.envelope }),
    epoch: 1,
  };
}

const reading = version('reading', 11, readingDefinition);
const cpu = version('cpu', 12, exampleDefinition);
const ROUTES = [
  routeOf('readings', reading, { envelope: 'CloudEvents/1.0' }),
  routeOf('readings.framed', reading, { envelope: 'CloudEvents/1.0', wireFormat: 'schema-id' }),
  routeOf('cpu', cpu, { envelope: 'CloudEvents/1.0' }),
  routeOf('plain', cpu),
];
const routes: RouteLookup = createRouteLookupOver(
  {
    async route(key) {
      return ROUTES.find((r) => r.key.type === key.type && r.key.version === key.version);
    },
    async writer(schemaXid, writer) {
      return [reading, cpu].find((v) => v.schemaXid === schemaXid && 'numericId' in writer && v.numericId === writer.numericId);
    },
  },
  { ttlMs: 0, negativeTtlMs: 0 },
);
const deps = { routes, decoders: new DecoderCache() };
const types = new SchemaCache();
const readingBody = encodeAvro(types.get('r', readingDefinition), { value: 41.5 });
const PUBLISHED = Date.parse('2026-05-05T00:00:00.000Z');
const ATTRIBUTES = { specversion: '1.0', id: 'ce-1', source: '/hosts/a', type: 'com.example.reading', time: '2026-03-04T05:06:07.089123Z' };

function binary(id: string, subject: string, payload: Uint8Array, attributes: Record<string, string> = ATTRIBUTES, extra: StageHeaders = {}): RawRecord {
  const headers = Object.fromEntries(binaryHeaders(checkedAttributes(attributes)));
  return { id, subject, payload: Buffer.from(payload).toString('base64'), publishedAtMs: PUBLISHED, headers: { ...headers, ...extra } };
}

function structured(id: string, subject: string, json: Uint8Array): RawRecord {
  return { id, subject, payload: Buffer.from(json).toString('base64'), publishedAtMs: PUBLISHED, headers: { 'content-type': STRUCTURED_CONTENT_TYPE } };
}

function failureOf(result: ValidateResult | undefined): [string, string, boolean, string] {
  assert.ok(result !== undefined && !result.ok, `a failure: ${JSON.stringify(result)}`);
  return [result.failure.stage, result.failure.reason, result.failure.retryable, result.failure.message];
}

/** Validate, then sink-write's decoding of the same records with validate's verdicts: the events the sinks would get. */
async function throughStages(records: RawRecord[]): Promise<{ validated: readonly ValidateResult[]; events: unknown[] }> {
  const { results } = await runValidate({ records }, deps);
  const pinned: PinnedRecord[] = [];
  records.forEach((record, index) => {
    const verdict = results[index]!;
    if (verdict.ok) pinned.push({ ...record, eventId: verdict.eventId, reader: verdict.reader, writer: verdict.writer });
  });
  const written = await decodePinned(pinned, deps);
  return { validated: results, events: written.map((item) => ('event' in item ? item.event : item)) };
}

describe('binary content mode', () => {
  test('a body without id, time or source takes them from ce-id, ce-time (to the millisecond) and ce-source, in validate and in sink-write', async () => {
    const { validated, events } = await throughStages([binary('1', 'readings.v1', readingBody)]);
    assert.equal(validated[0]?.ok && validated[0].eventId, 'ce-1');
    assert.deepEqual(events, [
      { eventId: 'ce-1', routeKey: { type: 'readings', version: 'v1' }, time: '2026-03-04T05:06:07.089Z', source: '/hosts/a', body: { value: 41.5 } },
    ]);
  });

  test('a body that has the fields must agree with the headers; each disagreement is a permanent cloudevents_mismatch', async () => {
    const event = {
      id: 'ce-1',
      type: 'com.example.reading',
      version: 'v1',
      source: '/hosts/a',
      time: new Date('2026-03-04T05:06:07.089Z'),
      data: { name: 'n', value: 1, unit: null, tags: {} },
    };
    const body = encodeAvro(types.get('c', exampleDefinition), event);
    const { validated, events } = await throughStages([
      binary('ok', 'cpu.v1', body),
      binary('id', 'cpu.v1', body, { ...ATTRIBUTES, id: 'ce-2' }),
      binary('time', 'cpu.v1', body, { ...ATTRIBUTES, time: '2026-03-04T05:06:08Z' }),
    ]);
    assert.equal(validated[0]?.ok && validated[0].eventId, 'ce-1');
    assert.deepEqual(failureOf(validated[1]), ['validate', 'cloudevents_mismatch', false, `header ce-id is "ce-2", the body's id "ce-1"`]);
    assert.deepEqual(failureOf(validated[2]), [
      'validate',
      'cloudevents_mismatch',
      false,
      "header ce-time is 2026-03-04T05:06:08Z, the body's time 2026-03-04T05:06:07.089Z",
    ]);
    assert.equal(events.length, 1, 'only the matching event reaches sink-write');
  });

  test('bad input: incomplete ce-* headers are cloudevents_invalid; no headers and no id in the body is missing_event_id', async () => {
    const incomplete: RawRecord = {
      id: '1',
      subject: 'readings.v1',
      payload: readingBody.toString('base64'),
      publishedAtMs: PUBLISHED,
      headers: { 'ce-id': 'x' },
    };
    const bare: RawRecord = { id: '2', subject: 'readings.v1', payload: readingBody.toString('base64'), publishedAtMs: PUBLISHED };
    const { results } = await runValidate({ records: [incomplete, bare] }, deps);
    assert.deepEqual(failureOf(results[0]).slice(0, 3), ['validate', 'cloudevents_invalid', false]);
    assert.match(failureOf(results[0])[3], /header ce-specversion is missing/);
    assert.deepEqual(failureOf(results[1]).slice(0, 3), ['validate', 'missing_event_id', false]);
  });
});

describe('structured content mode', () => {
  test('data_base64 carries the payload in the route wire format (here schema-id framed); the attributes speak for the event', async () => {
    const framed = frame('schema-id', readingBody, { schemaId: 11, fingerprint: 0n });
    const json = structuredPayload(checkedAttributes({ ...ATTRIBUTES, id: 'ce-9', time: '2026-03-04T06:00:00+01:00' }), framed);
    const { validated, events } = await throughStages([structured('1', 'readings.framed.v1', json)]);
    assert.equal(validated[0]?.ok && validated[0].eventId, 'ce-9');
    assert.deepEqual(events, [
      { eventId: 'ce-9', routeKey: { type: 'readings.framed', version: 'v1' }, time: '2026-03-04T05:00:00.000Z', source: '/hosts/a', body: { value: 41.5 } },
    ]);
  });

  test('bad input: malformed JSON, a missing required attribute and a wrong specversion are each cloudevents_invalid', async () => {
    const data = readingBody.toString('base64');
    const { results } = await runValidate(
      {
        records: [
          structured('json', 'readings.v1', Buffer.from('{"specversion":')),
          structured('source', 'readings.v1', Buffer.from(JSON.stringify({ specversion: '1.0', id: 'a', type: 't', data_base64: data }))),
          structured('version', 'readings.v1', Buffer.from(JSON.stringify({ specversion: '0.3', id: 'a', source: 's', type: 't', data_base64: data }))),
        ],
      },
      deps,
    );
    const [json, source, specversion] = results.map(failureOf);
    assert.deepEqual(json!.slice(0, 3), ['validate', 'cloudevents_invalid', false]);
    assert.match(json![3], /not UTF-8 JSON/);
    assert.match(source![3], /attribute source is missing/);
    assert.match(specversion![3], /specversion is "0.3"/);
  });
});

describe('a route whose message group does not declare CloudEvents', () => {
  test('ce-* headers are not read (the body speaks), and a structured event is refused with cloudevents_invalid', async () => {
    const event = { id: 'evt-1', type: 'plain', version: 'v1', source: 's', time: new Date(0), data: { name: 'n', value: 1, unit: null, tags: {} } };
    const body = encodeAvro(types.get('c', exampleDefinition), event);
    const json = structuredPayload(checkedAttributes(ATTRIBUTES), body);
    const { results } = await runValidate({ records: [binary('1', 'plain.v1', body), structured('2', 'plain.v1', json)] }, deps);
    assert.equal(results[0]?.ok && results[0].eventId, 'evt-1');
    assert.deepEqual(failureOf(results[1]).slice(0, 3), ['validate', 'cloudevents_invalid', false]);
    assert.match(failureOf(results[1])[3], /does not declare envelope CloudEvents\/1.0/);
  });
});
