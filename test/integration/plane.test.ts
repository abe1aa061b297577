import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { sampleEvent } from '../../shared/admin/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { createProducer, type EventValue } from '../../shared/nats/index.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { waitFor } from '../helpers/names.ts';

const VALID = 300;
const RANDOM_BYTES = 12;
const TRUNCATED = 10;
const NO_ROUTE = 6;
const BAD_SUBJECT = 4;
const INVALID = RANDOM_BYTES + TRUNCATED + NO_ROUTE + BAD_SUBJECT;

describe('the plane end to end (NATS + PostgreSQL + serverless-offline + bridge)', () => {
  let plane: TestPlane;
  const events: EventValue[] = [];
  const schemas = new SchemaCache();

  before(async () => {
    plane = await createTestPlane();
  });

  after(async () => {
    await plane?.close();
  });

  test('N valid and M invalid events become exactly N rows and M dead letters with stage and reason', async () => {
    // Prepare
    const producer = createProducer(plane.js);
    const { route } = plane;
    const type = schemas.get('route', route.schema.definition);
    for (let i = 0; i < VALID; i++) events.push(sampleEvent(route));

    // Act: interleave good and bad so bad records share batches with good ones.
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < VALID; i++) {
      publishes.push(producer.publish(route, events[i]!));
      if (i < RANDOM_BYTES) publishes.push(producer.publishRaw(route.subject, randomBytes(8 + i)));
      if (i < TRUNCATED) {
        const bytes = encodeAvro(type, sampleEvent(route));
        publishes.push(producer.publishRaw(route.subject, bytes.subarray(0, bytes.length - 3)));
      }
      if (i < NO_ROUTE) publishes.push(producer.publishRaw(`${route.key.type}.v9`, encodeAvro(type, sampleEvent(route))));
      if (i < BAD_SUBJECT) publishes.push(producer.publishRaw(`${plane.runId}.not-versioned`, encodeAvro(type, sampleEvent(route))));
    }
    await Promise.all(publishes);

    // Assess
    await waitFor('rows and dead letters', async () => [await plane.countRows(), (await plane.deadLetters()).length], ([rows, letters]) => rows === VALID && letters === INVALID);
    const letters = await plane.deadLetters();
    const byReason = new Map<string, number>();
    for (const letter of letters) {
      assert.equal(letter.stage, 'validate', `stage of ${letter.reason}`);
      byReason.set(letter.reason, (byReason.get(letter.reason) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(byReason), {
      avro_decode_failed: RANDOM_BYTES + TRUNCATED,
      unknown_route: NO_ROUTE,
      invalid_subject: BAD_SUBJECT,
    });
    for (const letter of letters) {
      assert.ok((letter.payload ?? '').length > 0, 'dead letter keeps the payload bytes');
      assert.ok(letter.streamSequence > 0 && letter.attempts === 1);
      assert.match(letter.subject, new RegExp(`^${plane.runId}\\.`));
    }
    const unrouted = letters.filter((letter) => letter.reason === 'unknown_route');
    assert.ok(unrouted.every((letter) => letter.subject === `${plane.route.key.type}.v9`));
    assert.equal(await plane.duplicateRows(), 0);
    await waitFor('consumer to settle', () => plane.pending(), (p) => p.pending === 0 && p.ackPending === 0);

    const [row] = await plane.sql<{ event_time: Date; payload: { value: number }; event_type: string }[]>`
      select event_time, payload, event_type from metric_events where event_id = ${events[0]!.id}`;
    assert.ok(row, 'first event landed');
    assert.equal(row.event_type, plane.route.key.type);
    assert.equal(row.event_time.getTime(), (events[0]!.time as Date).getTime(), 'timestamp-millis lands as a timestamp');
    assert.equal(typeof row.payload.value, 'number');
  });

  test('publishing the same events again never creates a second row', async () => {
    // Prepare
    const producer = createProducer(plane.js);
    const type = schemas.get('route', plane.route.schema.definition);

    // Act 1: same Nats-Msg-Id inside the duplicate window: the stream itself drops them.
    const acks = await Promise.all(events.map((event) => producer.publish(plane.route, event)));
    assert.ok(acks.every((ack) => ack.duplicate), 'JetStream reports every repeat publish as a duplicate');

    // Act 2: same event ids without a message id: they reach the sink, which must not double them.
    await Promise.all(events.map((event) => producer.publishRaw(plane.route.subject, encodeAvro(type, event))));

    // Assess
    await waitFor('consumer to settle', () => plane.pending(), (p) => p.pending === 0 && p.ackPending === 0);
    assert.equal(await plane.countRows(), VALID);
    assert.equal(await plane.duplicateRows(), 0);
    assert.equal((await plane.deadLetters()).length, INVALID);
  });

  test('a drained (SIGTERM) and a killed (SIGKILL) bridge lose nothing and double nothing', async () => {
    // Prepare
    const producer = createProducer(plane.js);
    const burst = 20_000;
    const before = await plane.countRows();

    // Act: publish while the bridge works; stop it gracefully, restart, kill it, restart.
    const publishing = (async () => {
      for (let sent = 0; sent < burst; sent += 1000) {
        await Promise.all(Array.from({ length: 1000 }, () => producer.publish(plane.route, sampleEvent(plane.route))));
      }
    })();
    await waitFor('first rows of the burst', () => plane.countRows(), (rows) => rows > before + 500);
    const drained = plane.bridge;
    await drained.stop(30_000);
    assert.equal(drained.child.exitCode, 0, 'SIGTERM drains and exits cleanly');
    const afterDrain = await plane.countRows();

    plane.startBridge();
    await waitFor('progress after restart', () => plane.countRows(), (rows) => rows > afterDrain + 500);
    await plane.bridge.kill();
    plane.startBridge();
    await publishing;

    // Assess: messages the killed bridge held come back after ack_wait or sooner via nak.
    await waitFor('every event landed', () => plane.countRows(), (rows) => rows === before + burst, 120_000);
    await waitFor('consumer to settle', () => plane.pending(), (p) => p.pending === 0 && p.ackPending === 0, 120_000);
    assert.equal(await plane.countRows(), before + burst);
    assert.equal(await plane.duplicateRows(), 0);
    assert.equal((await plane.deadLetters()).length, INVALID);
  });
});
