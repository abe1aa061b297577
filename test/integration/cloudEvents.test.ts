import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import type { CloudEventsMode } from '../../shared/cloudevents/index.ts';
import type { DeadLetter } from '../../shared/deadletters/index.ts';
import { cloudEventAttributes, cloudEventMessage, sampleEvent, type CloudEventAttributeInput } from '../../shared/producer/index.ts';
import { findRouteBySubject, type RouteRecord } from '../../shared/routes/index.ts';
import { loadHttpSinkPolicy } from '../../shared/config/index.ts';
import { loadRegistry } from '../../shared/xregistry/index.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recordingProxy.ts';

// CloudEvents over NATS through the whole chain: real NATS, PostgreSQL, serverless-offline and a
// bridge whose invoke requests pass through a recording proxy, so the test reads what the
// functions were sent.

const READING_SCHEMA = {
  type: 'record',
  name: 'Reading',
  namespace: 'com.example.readings',
  fields: [
    { name: 'value', type: 'double' },
    { name: 'host', type: 'string' },
  ],
};
const GOOD_BINARY = 20;
const GOOD_STRUCTURED = 20;
const GOOD_WITH_BODY = 20;
const BAD_EACH = 4;
const SECRET = `secret-${randomUUID()}`;

/** A message definition (route) for this run's streams. */
function messageFor(runId: string, subject: string, schema: string, table: string): Record<string, unknown> {
  return {
    protocol: 'NATS',
    protocoloptions: { subject },
    dataschemaformat: 'Avro/1.12',
    dataschemaxid: schema,
    ingestion: { sink: { kind: 'postgres', table }, deadlettersubject: `${runId}dlq.${subject.slice(runId.length + 1)}`, wireformat: 'raw' },
  };
}

/** A group declaring CloudEvents whose route reads a schema with no id, time or source; a group declaring nothing. */
function documentFor(runId: string): unknown {
  const message = (subject: string, schema: string, table: string) => messageFor(runId, subject, schema, table);
  return {
    schemagroups: { readings: { schemas: { reading: { versions: { '1': { format: 'Avro/1.12', schema: READING_SCHEMA } } } } } },
    messagegroups: {
      readings: {
        envelope: 'CloudEvents/1.0',
        protocol: 'NATS',
        messages: { [`${runId}.reading.v1`]: message(`${runId}.reading.v1`, '/schemagroups/readings/schemas/reading', 'reading_events') },
      },
      plain: {
        protocol: 'NATS',
        messages: { [`${runId}.plain.cpu.v1`]: message(`${runId}.plain.cpu.v1`, '/schemagroups/metrics/schemas/cpu-usage', 'plain_events') },
      },
    },
  };
}

/** What a published message must become: a row with this event id, or one dead letter with this reason. */
type Expected = { readonly row: string } | { readonly reason: string };

describe('CloudEvents over NATS (binding v1.0.3) through the whole chain', () => {
  let plane: TestPlane;
  let proxy: RecordingProxy;
  let reading: RouteRecord;
  let plain: RouteRecord;
  const schemas = new SchemaCache();
  /** Stream sequence → what it must become. */
  const expected = new Map<number, Expected>();

  before(async () => {
    plane = await createTestPlane();
    await plane.stopBridge();
    proxy = await startRecordingProxy(plane.env.LAMBDA_ENDPOINT!);
    plane.startBridge({ LAMBDA_ENDPOINT: proxy.url });
    const routes = await loadRegistry(plane.sql, documentFor(plane.runId), {
      ingest: plane.bridgeConfig.nats.ingest.subjects,
      deadLetter: plane.bridgeConfig.nats.deadLetter.subjects,
      httpSinks: loadHttpSinkPolicy(plane.env),
    });
    reading = routes.find((route) => route.subject.endsWith('.reading.v1'))!;
    plain = routes.find((route) => route.subject.endsWith('.plain.cpu.v1'))!;
    assert.equal(reading.envelope, 'CloudEvents/1.0');
    assert.equal(plain.envelope, undefined);
  });

  after(async () => {
    await plane?.close();
    await proxy?.close();
  });

  /** Publishes one message with a private header beside whatever it carries, and records what it must become. */
  async function publish(subject: string, payload: Uint8Array, headers: MsgHdrs, outcome: Expected): Promise<void> {
    headers.set('x-private', SECRET);
    const ack = await plane.js.publish(subject, payload, { headers });
    expected.set(ack.seq, outcome);
  }

  async function publishCloudEvent(
    route: RouteRecord,
    event: Record<string, unknown>,
    mode: CloudEventsMode,
    given: CloudEventAttributeInput,
    outcome?: Expected,
  ): Promise<string> {
    const attributes = cloudEventAttributes(route, event, given);
    const body = encodeAvro(schemas.get(route.schema.cacheKey, route.schema.definition), event);
    const { payload, headers } = cloudEventMessage(attributes, body, mode);
    await publish(route.subject, payload, headers, outcome ?? { row: attributes.id });
    return attributes.id;
  }

  function structuredHeaders(): MsgHdrs {
    const headers = natsHeaders();
    headers.set('Content-Type', 'application/cloudevents+json');
    return headers;
  }

  function readingEvent(): Record<string, unknown> {
    return { value: Math.round(Math.random() * 10_000) / 100, host: `host-${randomUUID().slice(0, 8)}` };
  }

  test('binary and structured events become one row each with the CloudEvent id, source and time; bad ones one dead letter each with its reason', async () => {
    const times = new Map<string, string>();
    for (let i = 0; i < GOOD_BINARY + GOOD_STRUCTURED; i++) {
      const time = new Date(Date.UTC(2026, 0, 1, 0, 0, i, 123)).toISOString();
      const id = await publishCloudEvent(reading, readingEvent(), i < GOOD_BINARY ? 'binary' : 'structured', {
        id: randomUUID(),
        source: `/sensors/${i}`,
        time,
      });
      times.set(id, time);
    }
    // The example route's body has id, source, type and time: matching headers pass, a different one is refused.
    for (let i = 0; i < GOOD_WITH_BODY; i++) await publishCloudEvent(plane.route, sampleEvent(plane.route), i % 2 === 0 ? 'binary' : 'structured', {});
    for (let i = 0; i < BAD_EACH; i++) {
      const event = sampleEvent(plane.route);
      await publishCloudEvent(plane.route, event, 'binary', { id: `other-${event.id}` }, { reason: 'cloudevents_mismatch' });
      await publishCloudEvent(plane.route, sampleEvent(plane.route), 'structured', { time: '1999-01-01T00:00:00Z' }, { reason: 'cloudevents_mismatch' });
      await publish(reading.subject, Buffer.from('{"specversion": "1.0", "id": '), structuredHeaders(), { reason: 'cloudevents_invalid' });
      const noSource = { specversion: '1.0', id: randomUUID(), type: 't', data_base64: 'AA==' };
      await publish(reading.subject, Buffer.from(JSON.stringify(noSource)), structuredHeaders(), { reason: 'cloudevents_invalid' });
      const wrongVersion = { ...noSource, source: '/s', specversion: '0.3' };
      await publish(reading.subject, Buffer.from(JSON.stringify(wrongVersion)), structuredHeaders(), { reason: 'cloudevents_invalid' });
      await publishCloudEvent(plain, sampleEvent(plain), 'structured', {}, { reason: 'cloudevents_invalid' });
      // A body without an id and no CloudEvent to give one.
      const bare = encodeAvro(schemas.get(reading.schema.cacheKey, reading.schema.definition), readingEvent());
      await publish(reading.subject, bare, natsHeaders(), { reason: 'missing_event_id' });
    }

    const letters = (
      await waitFor(
        'every message settled',
        async () => ({
          readings: (await plane.sql<{ count: number }[]>`select count(*)::int as count from reading_events`)[0]!.count,
          metrics: await plane.countRows(),
          letters: await plane.deadLetters(),
        }),
        (state) => state.readings + state.metrics + state.letters.length >= expected.size,
      )
    ).letters;

    // Each published message is exactly one row or exactly one dead letter, with the reason it must have.
    const rows = await plane.sql<{ event_id: string; source: string | null; event_time: Date }[]>`
      select event_id, source, event_time from reading_events union all select event_id, source, event_time from metric_events`;
    const wantRows = [...expected.values()].flatMap((outcome) => ('row' in outcome ? [outcome.row] : [])).sort();
    assert.deepEqual(rows.map((row) => row.event_id).sort(), wantRows);
    const bySeq = new Map<number, DeadLetter[]>();
    for (const letter of letters) bySeq.set(letter.streamSequence, [...(bySeq.get(letter.streamSequence) ?? []), letter]);
    for (const [seq, outcome] of expected) {
      const mine = bySeq.get(seq) ?? [];
      if ('row' in outcome) assert.equal(mine.length, 0, `seq ${seq} is a row and no letter`);
      else
        assert.deepEqual(
          mine.map((letter) => [letter.stage, letter.reason]),
          [['validate', outcome.reason]],
          `seq ${seq}: ${JSON.stringify(mine)}`,
        );
    }
    assert.equal(letters.length, BAD_EACH * 7);
    const mismatch = letters.find((letter) => letter.reason === 'cloudevents_mismatch' && letter.message.includes('ce-id'));
    assert.match(mismatch?.message ?? '', /header ce-id is "other-[^"]+", the body's id "[^"]+"/);

    // The CloudEvent supplied what the body lacked: ce-source and ce-time became source and event_time.
    for (const row of rows.filter((candidate) => times.has(candidate.event_id))) {
      assert.equal(row.event_time.toISOString(), times.get(row.event_id));
      assert.match(row.source ?? '', /^\/sensors\/\d+$/);
    }
    assert.equal(rows.filter((row) => times.has(row.event_id)).length, GOOD_BINARY + GOOD_STRUCTURED);

    // The stages got the ce-* headers and nothing else; the dead letters keep every header.
    const invokes = proxy.requests.filter((request) => request.path.includes('/functions/'));
    assert.ok(
      invokes.some((request) => request.path.includes('validate') && request.body.includes('"ce-id"')),
      'validate got ce-* headers',
    );
    assert.ok(
      invokes.some((request) => request.path.includes('sink-write') && request.body.includes('"ce-time"')),
      'sink-write got ce-* headers',
    );
    for (const request of invokes) {
      assert.ok(!request.body.includes('x-private') && !request.body.includes(SECRET), `${request.path} carries no private header`);
      assert.ok(!request.body.includes('Nats-Msg-Id'), `${request.path} carries no Nats-Msg-Id`);
    }
    for (const letter of letters) assert.deepEqual(letter.headers['x-private'], [SECRET], `letter ${letter.id} keeps x-private`);
  });

  test('ingest publish --cloudevents binary or structured lands rows; on a route not declaring CloudEvents it is a usage error and publishes nothing', async () => {
    const env = { ...plane.env, LOG_LEVEL: 'warn' };
    const count = async (): Promise<number> => (await plane.sql<{ count: number }[]>`select count(*)::int as count from reading_events`)[0]!.count;
    const before = await count();
    for (const mode of ['binary', 'structured']) {
      const result = await runIngest(['publish', reading.subject, '--cloudevents', mode, '--count', '3'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`published 3 valid event\\(s\\) as ${mode}-mode CloudEvents for`));
    }
    await waitFor('the CLI events as rows', count, (rows) => rows === before + 6);

    const stream = plane.bridgeConfig.nats.ingest.name;
    const messages = (await plane.jsm.streams.info(stream)).state.messages;
    const refused = await runIngest(['publish', plain.subject, '--cloudevents', 'binary'], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--cloudevents needs a route whose message group declares envelope CloudEvents\/1.0; the group of \S+ declares none/);
    assert.equal((await plane.jsm.streams.info(stream)).state.messages, messages, 'nothing was published');
  });

  test("the registry lets a schema leave out id only under envelope CloudEvents/1.0 (the message's own, else its group's), and keeps a group from dropping it while such a route reads", async () => {
    const write = (path: string, body: unknown) =>
      fetch(`${plane.registryUrl}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const subject = `${plane.runId}.plain.reading.v1`;
    const message = await write(`/messagegroups/plain/messages/${subject}`, {
      protocoloptions: { subject },
      dataschemaxid: '/schemagroups/readings/schemas/reading',
      ingestion: { sink: { kind: 'postgres', table: 'plain_readings' }, deadlettersubject: `${plane.runId}dlq.plain.reading.v1` },
    });
    assert.equal(message.status, 400);
    assert.match(await message.text(), /the schema needs a field \\"id\\" of type string \(the event id\), or its message group envelope CloudEvents\/1.0/);

    // A message's own envelope stands for its group's: the same route in the plain group, declaring CloudEvents itself.
    const own = await write(`/messagegroups/plain/messages/${subject}`, {
      envelope: 'CloudEvents/1.0',
      protocoloptions: { subject },
      dataschemaxid: '/schemagroups/readings/schemas/reading',
      ingestion: { sink: { kind: 'postgres', table: 'plain_readings' }, deadlettersubject: `${plane.runId}dlq.plain.reading.v1` },
    });
    assert.ok(own.status === 200 || own.status === 201, await own.text());
    assert.equal((await findRouteBySubject(plane.sql, subject))?.envelope, 'CloudEvents/1.0');

    const group = await write('/messagegroups/readings', { protocol: 'NATS' });
    assert.equal(group.status, 400);
    assert.match(await group.text(), /envelope \(none\): message \S+\.reading\.v1 reads \/schemagroups\/readings\/schemas\/reading/);
    const stored = (await (await fetch(`${plane.registryUrl}/messagegroups/readings`)).json()) as { envelope?: string };
    assert.equal(stored.envelope, 'CloudEvents/1.0');
  });

  test('a CloudEvent dead-lettered for want of a route replays with its ce-* headers once the route exists, and becomes a row with its ce-id', async () => {
    const subject = `${plane.runId}.late.reading.v1`;
    const id = randomUUID();
    const body = encodeAvro(schemas.get(reading.schema.cacheKey, reading.schema.definition), readingEvent());
    const { payload, headers } = cloudEventMessage(
      cloudEventAttributes(reading, {}, { id, source: '/sensors/late', type: 'com.example.reading' }),
      body,
      'binary',
    );
    headers.set('x-private', SECRET);
    const ack = await plane.js.publish(subject, payload, { headers });
    const letter = await waitFor(
      'the unknown_route letter',
      async () => (await plane.deadLetters()).find((candidate) => candidate.streamSequence === ack.seq),
      (found) => found !== undefined,
    );
    assert.equal(letter?.reason, 'unknown_route');

    const put = await fetch(`${plane.registryUrl}/messagegroups/readings/messages/${subject}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(messageFor(plane.runId, subject, '/schemagroups/readings/schemas/reading', 'reading_events')),
    });
    assert.ok(put.status === 200 || put.status === 201, await put.text());
    // The replay check runs validate on the letter's original with its ce-* headers: without them the body has no id.
    const replayed = await runIngest(['dlq', 'replay', '--subject', subject], { ...plane.env, LOG_LEVEL: 'warn' });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, new RegExp(`^${letter!.id}\\t${subject.replaceAll('.', '\\.')}\\tunknown_route\\treplayed`));
    const [row] = await waitFor(
      'the replayed event as a row',
      () => plane.sql<{ source: string }[]>`select source from reading_events where event_id = ${id}`,
      (rows) => rows.length === 1,
    );
    assert.equal(row?.source, '/sensors/late');
    assert.equal((await plane.deadLetters()).filter((candidate) => candidate.id === letter!.id).length, 0, 'the letter is gone');
  });
});
