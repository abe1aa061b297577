import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createProducer, type Producer, sampleEvent } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { type RawResponse, registryClient } from '../helpers/registryClient.ts';

// biome-ignore lint/suspicious/noExplicitAny: the test walks the registry's JSON answers by path and asserts on every value it reads.
type Json = Record<string, any>;
type Middleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

const PREFIX = '/ccompat/v7';
const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';
const BATCH = 40;

/** The client's way to send the registry's token: a mappersmith middleware, configured, not patched. */
function bearer(token: string): Middleware {
  return () => ({
    prepareRequest: (next) => next().then((request) => request.enhance({ headers: { authorization: `Bearer ${token}` } })),
  });
}

/** The status and Confluent error code of a refused request, and its message. */
function refusal(response: RawResponse): { status: number; code: unknown } {
  return { status: response.status, code: response.json.error_code };
}

/** The status the client's ResponseError carries when a call is refused. */
async function refusedStatus(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    assert.equal(typeof status, 'number', `the client error carries the HTTP status: ${String(error)}`);
    return status as number;
  }
  return assert.fail('the call was expected to be refused');
}

describe('the Confluent-compatible API with the unmodified @kafkajs/confluent-schema-registry client (serverless-offline, NATS, PostgreSQL)', () => {
  let plane: TestPlane;
  let registry: SchemaRegistry;
  let anonymous: SchemaRegistry;
  let api: ReturnType<typeof registryClient>;
  let producer: Producer;
  let subject: string;
  let v1: Json;
  const published: string[] = [];

  /** Encodes `count` events with the client under `id` (Confluent framing) and publishes them to the route. */
  async function publishEncoded(id: number, count: number, data: Json = {}): Promise<void> {
    for (let i = 0; i < count; i++) {
      const event = sampleEvent(plane.route) as Json;
      const value = { ...event, time: Date.now(), data: { ...event.data, ...data } };
      const bytes = await registry.encode(id, value);
      await producer.publishRaw(plane.route.subject, bytes, event.id);
      published.push(event.id);
    }
  }

  async function landed(): Promise<{ rows: string[]; letters: number }> {
    const rows = (await plane.sql<{ event_id: string }[]>`select event_id from metric_events`).map((row) => row.event_id).sort();
    return { rows, letters: (await plane.deadLetters()).length };
  }

  before(async () => {
    plane = await createTestPlane({ wireFormat: 'confluent' });
    const host = `${plane.registryUrl}${PREFIX}`;
    registry = new SchemaRegistry({ host, middlewares: [bearer(plane.registryToken)] });
    anonymous = new SchemaRegistry({ host });
    api = registryClient(plane.registryUrl, plane.registryToken);
    producer = createProducer(plane.js);
    subject = `${plane.route.subject}-value`;
    v1 = (await (await fetch(`${plane.registryUrl}${SCHEMA}`)).json()) as Json;
  });

  after(async () => {
    await plane?.close();
  });

  test('the client registers the route schema under <subject>-value and gets its numericid; the events it encodes become rows, none lost or doubled', async () => {
    // Prepare
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects`, { token: null })).text), [subject]);

    // Act
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    await publishEncoded(id, BATCH);

    // Assess
    assert.equal(id, plane.route.schema.numericId, 'the same schema is the same version: one id space with xRegistry');
    assert.equal(await registry.getLatestSchemaId(subject), id);
    const byId = await api('GET', `${PREFIX}/schemas/ids/${id}`);
    assert.deepEqual(JSON.parse(byId.json.schema as string), v1, 'GET /schemas/ids/{numericid} is the xRegistry version document');
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/schemas/ids/${id}/versions`)).text), [{ subject, version: 1 }]);
    const outcome = await waitFor('the encoded events as rows', landed, (state) => state.rows.length + state.letters >= BATCH);
    assert.deepEqual(outcome, { rows: [...published].sort(), letters: 0 });
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a compatible v2 registered through the client lands beside v1, and events of both versions become rows', async () => {
    // Prepare
    const v2 = structuredClone(v1);
    v2.fields.find((field: Json) => field.name === 'data').type.fields.push({ name: 'cores', type: 'int', default: -1 });
    const v1Id = plane.route.schema.numericId;

    // Act
    const { id: v2Id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    await publishEncoded(v2Id, BATCH, { cores: 8 });
    await publishEncoded(v1Id, BATCH);

    // Assess
    assert.notEqual(v2Id, v1Id);
    const versions = (await api('GET', `${SCHEMA}/versions`)).json as Json;
    assert.deepEqual(
      Object.values(versions).map((version: Json) => [version.versionid, version.numericid]),
      [
        ['1', v1Id],
        ['2', v2Id],
      ],
      'v2 is xRegistry version 2 of the route schema, with the id the client got',
    );
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${subject}/versions`)).text), [1, 2]);
    const latest = (await api('GET', `${PREFIX}/subjects/${subject}/versions/latest`)).json;
    assert.deepEqual([latest.subject, latest.version, latest.id], [subject, 2, v2Id]);
    const outcome = await waitFor('events of both versions as rows', landed, (state) => state.rows.length + state.letters >= 3 * BATCH);
    assert.deepEqual(outcome, { rows: [...published].sort(), letters: 0 });
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('an incompatible schema is refused with 409 as the client surfaces it, and nothing is stored', async () => {
    // Prepare: a required field without a default, which v2's readers cannot fill from older data.
    const v3 = structuredClone(v1);
    v3.fields.find((field: Json) => field.name === 'data').type.fields.push({ name: 'host', type: 'string' });
    const body = { schema: JSON.stringify(v3) };

    // Act
    const status = await refusedStatus(registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v3) }, { subject }));
    const raw = await api('POST', `${PREFIX}/subjects/${subject}/versions`, { body });
    const test = await api('POST', `${PREFIX}/compatibility/subjects/${subject}/versions/latest?verbose=true`, { body, token: null });

    // Assess
    assert.equal(status, 409);
    assert.deepEqual(refusal(raw), { status: 409, code: 409 });
    assert.match(String(raw.json.message), /host/, 'the message names the field');
    assert.equal(test.status, 200, test.text);
    assert.equal(test.json.is_compatible, false);
    assert.ok(Array.isArray(test.json.messages) && test.json.messages.length > 0, 'verbose names the problems');
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${subject}/versions`)).text), [1, 2]);
  });

  test('bad input: unknown subject 40401, bad version 42202, invalid schema 42201, unknown id 40403, unknown path 404', async () => {
    // Act
    const unknownSubject = await api('GET', `${PREFIX}/subjects/nobody-${plane.runId}-value/versions`);
    const unknownByClient = await refusedStatus(registry.getLatestSchemaId(`nobody-${plane.runId}-value`));
    const badVersions = await Promise.all(['abc', '0', '2147483648', '1.5'].map((version) => api('GET', `${PREFIX}/subjects/${subject}/versions/${version}`)));
    const missingVersion = await api('GET', `${PREFIX}/subjects/${subject}/versions/99`);
    const notJson = await api('POST', `${PREFIX}/subjects/${subject}/versions`, { body: { schema: '{"type": "record", ' } });
    const notAvro = await api('POST', `${PREFIX}/subjects/${subject}/versions`, { body: { schema: '{"type": "record", "name": "X"}' } });
    const protobuf = await api('POST', `${PREFIX}/subjects/${subject}/versions`, { body: { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' } });
    const noSchema = await api('POST', `${PREFIX}/subjects/${subject}/versions`, { body: {} });
    const unknownId = await api('GET', `${PREFIX}/schemas/ids/999999`);
    const badId = await api('GET', `${PREFIX}/schemas/ids/x`);
    const unknownPath = await api('GET', `${PREFIX}/nothing/here`);
    const badSubject = await api('POST', `${PREFIX}/subjects/${encodeURIComponent('a subject with spaces')}/versions`, {
      body: { schema: '"string"' },
    });

    // Assess
    assert.deepEqual(refusal(unknownSubject), { status: 404, code: 40401 });
    assert.equal(unknownByClient, 404);
    for (const response of badVersions) assert.deepEqual(refusal(response), { status: 422, code: 42202 }, response.text);
    assert.deepEqual(refusal(missingVersion), { status: 404, code: 40402 });
    for (const response of [notJson, notAvro, protobuf, noSchema]) assert.deepEqual(refusal(response), { status: 422, code: 42201 }, response.text);
    assert.deepEqual(refusal(unknownId), { status: 404, code: 40403 });
    assert.deepEqual(refusal(badId), { status: 404, code: 40403 });
    assert.deepEqual(refusal(unknownPath), { status: 404, code: 404 });
    assert.deepEqual(refusal(badSubject), { status: 422, code: 42208 });
    assert.match(String(unknownPath.headers['content-type']), /^application\/vnd\.schemaregistry\.v1\+json/);
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${subject}/versions`)).text), [1, 2], 'nothing was added');
  });

  test('writes without the token are 401 and change nothing; lookups and compatibility tests need none', async () => {
    // Prepare
    const fresh = `fresh-${plane.runId}`;
    const schema = JSON.stringify({ type: 'record', name: 'Fresh', fields: [{ name: 'a', type: 'string' }] });

    // Act
    const writes = await Promise.all([
      api('POST', `${PREFIX}/subjects/${fresh}/versions`, { body: { schema }, token: null }),
      api('POST', `${PREFIX}/subjects/${fresh}/versions`, { body: { schema }, token: 'not-the-token' }),
      api('PUT', `${PREFIX}/config`, { body: { compatibility: 'NONE' }, token: null }),
      api('PUT', `${PREFIX}/config/${subject}`, { body: { compatibility: 'NONE' }, token: null }),
      api('DELETE', `${PREFIX}/subjects/${subject}`, { token: null }),
      api('DELETE', `${PREFIX}/subjects/${subject}/versions/1`, { token: null }),
      api('DELETE', `${PREFIX}/config/${subject}`, { token: null }),
    ]);
    const byClient = await refusedStatus(anonymous.register({ type: SchemaType.AVRO, schema }, { subject: fresh }));
    const lookup = await api('POST', `${PREFIX}/subjects/${subject}`, { body: { schema: JSON.stringify(v1) }, token: null });

    // Assess
    for (const response of writes) assert.deepEqual(refusal(response), { status: 401, code: 401 }, response.text);
    assert.equal(byClient, 401);
    assert.equal(lookup.status, 200, lookup.text);
    assert.deepEqual([lookup.json.subject, lookup.json.version, lookup.json.id], [subject, 1, plane.route.schema.numericId]);
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects`)).text), [subject], 'no subject was created');
    assert.equal((await api('GET', `${PREFIX}/config`)).json.compatibilityLevel, 'BACKWARD');
    assert.equal((await api('GET', `${PREFIX}/config/${subject}`)).json.compatibilityLevel, 'BACKWARD');
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${subject}/versions`)).text), [1, 2]);
  });

  test('config is the schema xRegistry compatibility; a level its versions break is 42203; the global level is what new subjects start with', async () => {
    // Act
    const full = await api('PUT', `${PREFIX}/config/${subject}`, { body: { compatibility: 'FULL' } });
    const metaAfterFull = (await api('GET', `${SCHEMA}/meta`)).json;
    const bogus = await api('PUT', `${PREFIX}/config/${subject}`, { body: { compatibility: 'SIDEWAYS' } });
    const back = await api('PUT', `${PREFIX}/config/${subject}`, { body: { compatibility: 'backward' } });
    const global = await api('PUT', `${PREFIX}/config`, { body: { compatibility: 'FORWARD' } });
    const pending = await api('PUT', `${PREFIX}/config/later-${plane.runId}`, { body: { compatibility: 'NONE' } });
    const unconfigured = await api('GET', `${PREFIX}/config/never-${plane.runId}`);
    const defaulted = await api('GET', `${PREFIX}/config/never-${plane.runId}?defaultToGlobal=true`);

    // Assess
    assert.deepEqual([full.status, full.json.compatibility], [200, 'FULL'], full.text);
    assert.equal(metaAfterFull.compatibility, 'full');
    assert.deepEqual(refusal(bogus), { status: 422, code: 42203 });
    assert.deepEqual([back.status, back.json.compatibility], [200, 'BACKWARD']);
    assert.equal((await api('GET', `${SCHEMA}/meta`)).json.compatibility, 'backward');
    assert.deepEqual([global.status, global.json.compatibility], [200, 'FORWARD']);
    assert.equal((await api('GET', `${PREFIX}/config`)).json.compatibilityLevel, 'FORWARD');
    assert.equal(pending.status, 200, pending.text);
    assert.equal((await api('GET', `${PREFIX}/config/later-${plane.runId}`)).json.compatibilityLevel, 'NONE');
    assert.deepEqual(refusal(unconfigured), { status: 404, code: 40408 });
    assert.equal(defaulted.json.compatibilityLevel, 'FORWARD');
    const schema = JSON.stringify({ type: 'record', name: 'Later', fields: [{ name: 'a', type: 'string' }] });
    assert.equal((await api('POST', `${PREFIX}/subjects/later-${plane.runId}/versions`, { body: { schema } })).status, 200);
    assert.equal(
      (await api('GET', `/schemagroups/ccompat/schemas/later-${plane.runId}/meta`)).json.compatibility,
      'none',
      'the level set before the subject existed',
    );
    assert.equal((await api('PUT', `${PREFIX}/config`, { body: { compatibility: 'BACKWARD' } })).status, 200);
  });

  test('a subject no route names lands in the ccompat group; soft delete hides a version whose id still resolves; permanent deletes only after it', async () => {
    // Prepare
    const orders = `orders-${plane.runId}`;
    const first = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] };
    const second = { ...first, fields: [...first.fields, { name: 'qty', type: 'int', default: 0 }] };
    const { id: firstId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(first) }, { subject: orders });
    const { id: secondId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(second) }, { subject: orders });
    const versionsOf = async (query = ''): Promise<unknown> => JSON.parse((await api('GET', `${PREFIX}/subjects/${orders}/versions${query}`)).text);

    // Act and assess, step by step
    assert.deepEqual((await api('GET', `/schemagroups/ccompat/schemas/${orders}/versions/2$details`)).json.numericid, secondId);
    assert.equal((await api('GET', `/schemagroups/ccompat/schemas/${orders}/meta`)).json.compatibility, 'backward', 'the global level');
    assert.deepEqual(await versionsOf(), [1, 2]);
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/schemas/ids/${secondId}/subjects`)).text), [orders]);
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${orders}/versions/1/schema`)).text), first, '…/schema is the schema itself');

    assert.deepEqual(refusal(await api('DELETE', `${PREFIX}/subjects/${orders}/versions/1?permanent=true`)), { status: 404, code: 40407 });
    assert.equal((await api('DELETE', `${PREFIX}/subjects/${orders}/versions/1`)).text, '1');
    assert.deepEqual(refusal(await api('DELETE', `${PREFIX}/subjects/${orders}/versions/1`)), { status: 404, code: 40406 });
    assert.deepEqual(await versionsOf(), [2]);
    assert.deepEqual(await versionsOf('?deleted=true'), [1, 2]);
    assert.deepEqual(refusal(await api('GET', `${PREFIX}/subjects/${orders}/versions/1`)), { status: 404, code: 40402 });
    assert.equal((await api('GET', `${PREFIX}/schemas/ids/${firstId}`)).status, 200, 'a soft-deleted id still resolves');

    assert.deepEqual(refusal(await api('DELETE', `${PREFIX}/subjects/${orders}?permanent=true`)), { status: 404, code: 40405 });
    assert.equal((await api('DELETE', `${PREFIX}/subjects/${orders}`)).text, '[2]');
    assert.deepEqual(refusal(await api('DELETE', `${PREFIX}/subjects/${orders}`)), { status: 404, code: 40404 });
    assert.ok(!(JSON.parse((await api('GET', `${PREFIX}/subjects`)).text) as string[]).includes(orders));
    assert.ok((JSON.parse((await api('GET', `${PREFIX}/subjects?deleted=true`)).text) as string[]).includes(orders));
    assert.deepEqual(refusal(await api('GET', `${PREFIX}/subjects/${orders}/versions`)), { status: 404, code: 40401 });

    assert.equal((await api('DELETE', `${PREFIX}/subjects/${orders}?permanent=true`)).text, '[1,2]');
    assert.equal((await api('GET', `/schemagroups/ccompat/schemas/${orders}`)).status, 404, 'gone from the registry');
    assert.deepEqual(refusal(await api('GET', `${PREFIX}/schemas/ids/${firstId}`)), { status: 404, code: 40403 });
  });

  test('deleting the route subject is refused with 42206 naming the route, and its events still land', async () => {
    // Act
    const refused = await api('DELETE', `${PREFIX}/subjects/${subject}`);
    await publishEncoded(plane.route.schema.numericId, 5);

    // Assess
    assert.deepEqual(refusal(refused), { status: 422, code: 42206 });
    assert.match(String(refused.json.message), new RegExp(plane.route.subject.replaceAll('.', '\\.')));
    assert.deepEqual(JSON.parse((await api('GET', `${PREFIX}/subjects/${subject}/versions`)).text), [1, 2]);
    const outcome = await waitFor('the events after the refused delete', landed, (state) => state.rows.length + state.letters >= published.length);
    assert.deepEqual(outcome, { rows: [...published].sort(), letters: 0 });
  });
});
