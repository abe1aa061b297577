import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Objm } from '@nats-io/obj';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { type DeadLetter, encodeDeadLetter } from '../../shared/deadletters/index.ts';
import { createProducer, type EventValue } from '../../shared/producer/index.ts';
import type { ReplayReport } from '../../shared/stages/dlqReplay/replay.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const ROOT = join(import.meta.dirname, '../..');

const sha256 = (data: Uint8Array | string): string =>
  createHash('sha256')
    .update(typeof data === 'string' ? Buffer.from(data, 'base64') : data)
    .digest('hex');

/** Bytes that never decode as the route's Avro (the first string's length is an endless varint). */
const undecodable = (size: number): Buffer => Buffer.alloc(size, 0xff);

// Requests to the functions are capped here well below Lambda's 6 MB, so that a few large events
// are enough to need splitting, and one event alone can be too large; the mechanism is the same.
const MAX_REQUEST_BYTES = 2_000_000;

describe('messages of any size the ingest stream accepts end as one row or one dead letter (real chain)', () => {
  let plane: TestPlane;
  let lambda: LambdaClient;
  let maxPayload: number;

  before(async () => {
    plane = await createTestPlane({
      bridgeEnv: { LAMBDA_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES), BATCH_MAX_BYTES: '1900000', LAMBDA_TIMEOUT_MS: '15000', ACK_WAIT_MS: '30000' },
    });
    lambda = new LambdaClient({ region: 'us-east-1', endpoint: plane.env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    maxPayload = plane.nc.info!.max_payload;
  });

  after(async () => {
    lambda?.destroy();
    await plane?.close();
  });

  const settled = (): Promise<unknown> =>
    waitFor(
      'nothing pending or ack-pending',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      90_000,
    );

  const lettersBySequence = async (): Promise<Map<number, DeadLetter>> => new Map((await plane.deadLetters()).map((letter) => [letter.streamSequence, letter]));

  test('undecodable payloads below, at and above the dead-letter threshold and at the stream maximum: one letter each, bytes intact', async () => {
    const producer = createProducer(plane.js);
    const lettersBefore = (await lettersBySequence()).size;
    // The letter of a small payload tells what a letter adds around its payload.
    const probe = await producer.publishRaw(plane.route.subject, undecodable(1000));
    await waitFor('the probe letter', lettersBySequence, (letters) => letters.has(probe.seq));
    const probeLetter = (await lettersBySequence()).get(probe.seq)!;
    assert.equal(probeLetter.stored, undefined, 'a small letter carries its payload inline');
    // The writer's limit: max_payload less room for the publish headers (shared/deadletters/writer.ts).
    const limit = maxPayload - 512 - probeLetter.id.length - plane.bridgeConfig.nats.deadLetter.name.length;
    const overhead = encodeDeadLetter(probeLetter).length - probeLetter.payload!.length;
    // The largest payload whose letter still fits inline: base64 turns every 3 bytes into 4.
    const threshold = Math.floor((limit - overhead - 8) / 4) * 3;

    const sizes = { below: threshold - 3000, at: threshold, above: threshold + 3000, streamMaximum: maxPayload };
    const published = new Map<number, { size: keyof typeof sizes; digest: string }>();
    for (const [size, bytes] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
      const payload = undecodable(bytes);
      // No headers, so the stream-maximum message is exactly max_payload bytes.
      const ack = await plane.js.publish(plane.route.subject, payload);
      published.set(ack.seq, { size, digest: sha256(payload) });
    }
    await assert.rejects(plane.js.publish(plane.route.subject, undecodable(maxPayload + 1)), /max_payload|MAX_PAYLOAD/i, 'the stream takes nothing larger');

    await waitFor('a letter per payload', lettersBySequence, (letters) => [...published.keys()].every((seq) => letters.has(seq)));
    await settled();
    const letters = await lettersBySequence();
    assert.equal(letters.size, lettersBefore + published.size + 1, 'one letter per message, no more');
    for (const [seq, { size, digest }] of published) {
      const letter = letters.get(seq)!;
      assert.equal(letter.reason, 'avro_decode_failed', size);
      assert.equal(letter.id, `${plane.bridgeConfig.nats.ingest.name}:${seq}`);
      const original = await plane.deadLetterStore.original(letter);
      assert.equal(sha256(original.payload), digest, `${size}: the original bytes, exactly`);
      if (size === 'below') assert.equal(letter.stored, undefined, 'below the threshold the payload travels inline');
      if (size === 'above' || size === 'streamMaximum') {
        assert.equal(letter.payload, undefined, `${size}: no payload inline`);
        assert.deepEqual(letter.stored, { bucket: plane.bridgeConfig.nats.deadLetter.payloadBucket, object: letter.id, payloadBytes: sizes[size] });
      }
    }
  });

  test('ingest dlq list, show and purge read and delete a letter whose original is in the object store', async () => {
    const ingest = async (...args: string[]): Promise<string> =>
      (await promisify(execFile)(process.execPath, [join(ROOT, 'bin/ingest.mjs'), ...args], { env: plane.env, maxBuffer: 64 * 1024 * 1024 })).stdout;
    // This test's own letter: a payload of the stream maximum never fits inline, so its original is stored apart.
    const ack = await plane.js.publish(plane.route.subject, undecodable(maxPayload));
    await waitFor('its letter', lettersBySequence, (letters) => letters.has(ack.seq));
    await settled();
    const listed = JSON.parse(await ingest('dlq', 'list', '--json', '--limit', '100')) as (DeadLetter & { deadLetterSequence: number })[];
    const target = listed.find((letter) => letter.streamSequence === ack.seq);
    assert.deepEqual(
      target?.stored,
      { bucket: plane.bridgeConfig.nats.deadLetter.payloadBucket, object: target?.id, payloadBytes: maxPayload },
      'list shows where the original is',
    );
    const shown = JSON.parse(await ingest('dlq', 'show', target!.id)) as { id: string; payload: string; decoded: unknown };
    assert.equal(shown.id, target!.id);
    assert.equal(Buffer.from(shown.payload, 'base64').length, target!.stored!.payloadBytes, 'show reads the original from the object store');
    assert.match(String(shown.decoded), /does not decode now: avro_decode_failed/);
    // A bare sequence names a letter of the ingest stream.
    assert.equal((JSON.parse(await ingest('dlq', 'show', String(target!.streamSequence))) as { id: string }).id, target!.id);

    // Without --yes, purge only says what it would delete (and exits 1: nothing was deleted).
    await assert.rejects(ingest('dlq', 'purge', '--id', target!.id), (error: { code?: number; stdout?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stdout ?? '', /would delete 1 dead letter\(s\) \(1 with their originals in the object store\)/);
      return true;
    });
    assert.match(await ingest('dlq', 'purge', '--id', target!.id, '--yes'), /deleted 1 dead letter/);
    assert.equal(
      (await plane.deadLetters()).some((letter) => letter.id === target!.id),
      false,
      'the letter is gone',
    );
    const info = await (await new Objm(plane.js).open(target!.stored!.bucket)).info(target!.stored!.object);
    assert.ok(info === null || info.deleted, 'and its original with it');
    await assert.rejects(ingest('dlq', 'show', 'not-an-id'), /is not a dead-letter id/);
  });

  test('valid large events land as one row each, however large their decoded form: every stage gets their bytes', async () => {
    const producer = createProducer(plane.js);
    const rowsBefore = await plane.countRows();
    const lettersBefore = (await plane.deadLetters()).length;
    const withName = (name: string): EventValue => {
      const event = sampleEvent(plane.route);
      return { ...event, data: { ...(event.data as Record<string, unknown>), name } };
    };
    // Plain text: the decoded event is about as large as its bytes.
    const plain = [1, 2].map(() => withName('x'.repeat(900_000)));
    // Control characters: JSON writes each as \u00XX, so the decoded event is six times its bytes
    // (1.2 MB each): together far above the 2 MB request limit, had the decoded form travelled.
    const escaped = [1, 2, 3, 4].map(() => withName('\u0001'.repeat(200_000)));
    // 5.4 MB decoded, 1.2 MB as base64: it never travels decoded, so it fits a request like any other.
    const largeDecoded = withName('\u0001'.repeat(900_000));
    const events = [...plain, ...escaped, largeDecoded];
    for (const event of events) await producer.publish(plane.route, event);

    await waitFor(
      'the rows',
      async () => plane.countRows(),
      (rows) => rows === rowsBefore + events.length,
    );
    await settled();
    const rows = await plane.sql<{ event_id: string; length: number }[]>`
      select event_id, length(payload->>'name')::int as length from metric_events where event_id = any(${events.map((event) => event.id)})`;
    assert.equal(rows.length, events.length, 'one row per valid event');
    assert.deepEqual(
      rows.map((row) => row.length).sort((a, b) => a - b),
      [200_000, 200_000, 200_000, 200_000, 900_000, 900_000, 900_000],
    );
    assert.equal((await plane.deadLetters()).length, lettersBefore, 'and no letter');
  });

  test('a large valid event the sink refuses becomes one letter with its original stored apart, and replays to exactly one row', async () => {
    await plane.sql`alter table metric_events add constraint no_huge_names check (length(payload->>'name') < 500000) not valid`;
    const event = sampleEvent(plane.route);
    const large = { ...event, data: { ...(event.data as Record<string, unknown>), name: 'y'.repeat(950_000) } };
    const type = new SchemaCache().get('large', plane.route.schema.definition);
    const bytes = encodeAvro(type, large);
    await createProducer(plane.js).publish(plane.route, large);

    await waitFor(
      'its dead letter',
      async () => (await plane.deadLetters()).filter((letter) => letter.eventId === large.id),
      (found) => found.length === 1,
    );
    await settled();
    const [letter] = (await plane.deadLetters()).filter((candidate) => candidate.eventId === large.id);
    assert.equal(letter!.reason, 'sink_rejected');
    assert.ok(letter!.stored !== undefined, 'a 950 KB original does not fit in its letter');
    assert.equal(sha256((await plane.deadLetterStore.original(letter!)).payload), sha256(bytes));
    const bucket = await new Objm(plane.js).open(letter!.stored.bucket);
    assert.ok((await bucket.info(letter!.stored.object)) !== null, 'the original is in the object store');

    // The sink is fixed; dlq-replay re-drives the letter through the chain.
    await plane.sql`alter table metric_events drop constraint no_huge_names`;
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'ingest-test-dlq-replay', Payload: Buffer.from(JSON.stringify({ ids: [letter!.id] })) }),
    );
    const body = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    assert.equal(output.FunctionError, undefined, body);
    const report = JSON.parse(body) as ReplayReport;
    assert.deepEqual([report.examined, report.counts.replayed], [1, 1], body);

    await waitFor(
      'the replayed row',
      async () => (await plane.sql`select 1 from metric_events where event_id = ${large.id}`).length,
      (n) => n === 1,
    );
    await settled();
    const [row] = await plane.sql<{ count: number; length: number }[]>`
      select count(*)::int as count, max(length(payload->>'name'))::int as length from metric_events where event_id = ${large.id}`;
    assert.deepEqual(row, { count: 1, length: 950_000 });
    assert.equal((await plane.deadLetters()).filter((candidate) => candidate.eventId === large.id).length, 0, 'the letter is gone');
    const info = await bucket.info(letter!.stored.object);
    assert.ok(info === null || info.deleted, 'and its original with it');
  });

  test('the dlq-replay function refuses ids that are not dead-letter ids', async () => {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'ingest-test-dlq-replay', Payload: Buffer.from(JSON.stringify({ ids: ['not an id'] })) }),
    );
    const body = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    assert.ok(output.FunctionError !== undefined, body);
    assert.match(body, /ids\[0\] is not a dead-letter id/);
  });
});

// With the payload travelling as bytes, a request above the limit needs a limit below what one
// message can be: this plane's requests are capped at 1 MB, below a 900 KB event's base64.
const SMALL_REQUEST_BYTES = 1_000_000;

describe('an event too large for one invoke request on its own (real chain, 1 MB request limit)', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await createTestPlane({
      bridgeEnv: { LAMBDA_MAX_REQUEST_BYTES: String(SMALL_REQUEST_BYTES), BATCH_MAX_BYTES: '900000', LAMBDA_TIMEOUT_MS: '15000', ACK_WAIT_MS: '30000' },
    });
  });

  after(async () => {
    await plane?.close();
  });

  test('is a dead letter payload_too_large, and the events beside it land as one row each', async () => {
    const producer = createProducer(plane.js);
    const withName = (name: string): EventValue => {
      const event = sampleEvent(plane.route);
      return { ...event, data: { ...(event.data as Record<string, unknown>), name } };
    };
    const small = [1, 2, 3].map(() => withName('s'.repeat(1000)));
    const tooLarge = withName('x'.repeat(900_000));
    const acks = [];
    for (const event of [small[0]!, tooLarge, ...small.slice(1)]) acks.push(await producer.publish(plane.route, event));
    const tooLargeSeq = acks[1]!.seq;

    await waitFor(
      'rows and the letter',
      async () => [await plane.countRows(), (await plane.deadLetters()).length],
      ([rows, letters]) => rows === small.length && letters === 1,
    );
    await waitFor(
      'nothing pending or ack-pending',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      90_000,
    );
    const [letter] = await plane.deadLetters();
    assert.equal(letter?.streamSequence, tooLargeSeq, 'the letter is the large event');
    assert.equal(letter.reason, 'payload_too_large');
    // The first request that carries its bytes refuses it.
    assert.equal(letter.stage, 'validate');
    assert.match(letter.message, /above the limit of 1000000 \(LAMBDA_MAX_REQUEST_BYTES\)/);
    const rows = await plane.sql<{ event_id: string }[]>`select event_id from metric_events`;
    assert.deepEqual(rows.map((row) => row.event_id).sort(), small.map((event) => event.id).sort(), 'one row per small event, none for it');
  });
});
