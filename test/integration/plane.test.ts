import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import type { DeadLetter } from '../../shared/deadletters/index.ts';
import { createProducer, type EventValue } from '../../shared/producer/index.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { waitFor } from '../helpers/names.ts';

const VALID = 300;
const RANDOM_BYTES = 12;
const TRUNCATED = 10;
const NO_ROUTE = 6;
const BAD_SUBJECT = 4;
const INVALID = RANDOM_BYTES + TRUNCATED + NO_ROUTE + BAD_SUBJECT;
const REPEATED = 100;

/**
 * One plane for the file; each test publishes its own events and counts only those (rows by event
 * id, dead letters by stream sequence), so it passes or fails on its own, in any order.
 */
describe('the plane end to end (NATS + PostgreSQL + serverless-offline + bridge)', () => {
  let plane: TestPlane;
  const schemas = new SchemaCache();

  before(async () => {
    plane = await createTestPlane();
  });

  after(async () => {
    await plane?.close();
  });

  // A test that stopped or killed the bridge leaves none running; the next one starts its own.
  beforeEach(() => {
    const { child } = plane.bridge;
    if (child.exitCode !== null || child.signalCode !== null) plane.startBridge();
  });

  async function rowsOf(events: readonly EventValue[]): Promise<number> {
    const ids = events.map((event) => String(event.id));
    const [row] = await plane.sql<{ count: number }[]>`select count(*)::int as count from metric_events where event_id = any(${ids}::text[])`;
    return row!.count;
  }

  async function lettersOf(sequences: ReadonlySet<number>): Promise<DeadLetter[]> {
    return (await plane.deadLetters()).filter((letter) => sequences.has(letter.streamSequence));
  }

  const settled = (timeoutMs?: number): Promise<unknown> =>
    waitFor(
      'consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      timeoutMs,
    );

  test('N valid and M invalid events become exactly N rows and M dead letters with stage and reason', async () => {
    // Prepare
    const producer = createProducer(plane.js);
    const { route } = plane;
    const type = schemas.get('route', route.schema.definition);
    const events = Array.from({ length: VALID }, () => sampleEvent(route));

    // Act: interleave good and bad so bad records share batches with good ones.
    const publishes: Promise<{ seq: number }>[] = [];
    const invalid: Promise<{ seq: number }>[] = [];
    for (let i = 0; i < VALID; i++) {
      publishes.push(producer.publish(route, events[i]!));
      if (i < RANDOM_BYTES) invalid.push(producer.publishRaw(route.subject, randomBytes(8 + i)));
      if (i < TRUNCATED) {
        const bytes = encodeAvro(type, sampleEvent(route));
        invalid.push(producer.publishRaw(route.subject, bytes.subarray(0, bytes.length - 3)));
      }
      if (i < NO_ROUTE) invalid.push(producer.publishRaw(`${route.key.type}.v9`, encodeAvro(type, sampleEvent(route))));
      if (i < BAD_SUBJECT) invalid.push(producer.publishRaw(`${plane.runId}.not-versioned`, encodeAvro(type, sampleEvent(route))));
    }
    await Promise.all(publishes);
    const invalidSequences = new Set((await Promise.all(invalid)).map((ack) => ack.seq));
    assert.equal(invalidSequences.size, INVALID);

    // Assess
    await waitFor(
      'rows and dead letters',
      async () => [await rowsOf(events), (await lettersOf(invalidSequences)).length],
      ([rows, letters]) => rows === VALID && letters === INVALID,
    );
    const letters = await lettersOf(invalidSequences);
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
    await settled();
    assert.equal(await rowsOf(events), VALID);
    assert.equal((await lettersOf(invalidSequences)).length, INVALID, 'no letter came twice');
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });

    const [row] = await plane.sql<{ event_time: Date; payload: { value: number }; event_type: string }[]>`
      select event_time, payload, event_type from metric_events where event_id = ${events[0]!.id}`;
    assert.ok(row, 'first event landed');
    assert.equal(row.event_type, plane.route.key.type);
    assert.equal(row.event_time.getTime(), (events[0]!.time as Date).getTime(), 'timestamp-millis lands as a timestamp');
    assert.equal(typeof row.payload.value, 'number');
  });

  test('publishing the same events again never creates a second row', async () => {
    // Prepare: events that have landed, each once.
    const producer = createProducer(plane.js);
    const type = schemas.get('route', plane.route.schema.definition);
    const events = Array.from({ length: REPEATED }, () => sampleEvent(plane.route));
    await Promise.all(events.map((event) => producer.publish(plane.route, event)));
    await waitFor(
      'the first copies to land',
      () => rowsOf(events),
      (rows) => rows === REPEATED,
    );
    await settled();
    // A bridge of its own for the repeats, so what it settled is only theirs.
    await plane.bridge.stop();
    plane.startBridge();

    // Act 1: same Nats-Msg-Id inside the duplicate window: the stream itself drops them.
    const acks = await Promise.all(events.map((event) => producer.publish(plane.route, event)));
    assert.ok(
      acks.every((ack) => ack.duplicate),
      'JetStream reports every repeat publish as a duplicate',
    );

    // Act 2: same event ids without a message id: they reach the sink, which must not double them.
    const repeats = await Promise.all(events.map((event) => producer.publishRaw(plane.route.subject, encodeAvro(type, event))));
    assert.ok(
      repeats.every((ack) => !ack.duplicate),
      'without a message id the stream keeps each repeat',
    );

    // Assess: every repeat reached sink-write, which answered each `duplicate` and wrote nothing.
    await settled();
    assert.equal(await rowsOf(events), REPEATED);
    const counts = await plane.stopBridge();
    assert.deepEqual(
      { committed: counts.committed, duplicates: counts.duplicates, deadLettered: counts.deadLettered },
      { committed: 0, duplicates: REPEATED, deadLettered: 0 },
    );
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a drained (SIGTERM) and a killed (SIGKILL) bridge lose nothing and double nothing', async () => {
    // Prepare
    const producer = createProducer(plane.js);
    const burst = 20_000;
    const events = Array.from({ length: burst }, () => sampleEvent(plane.route));
    const before = await plane.countRows();

    // Act: publish while the bridge works; stop it gracefully, restart, kill it, restart.
    const publishing = (async () => {
      for (let sent = 0; sent < burst; sent += 1000) {
        await Promise.all(events.slice(sent, sent + 1000).map((event) => producer.publish(plane.route, event)));
      }
    })();
    await waitFor(
      'first rows of the burst',
      () => plane.countRows(),
      (rows) => rows > before + 500,
    );
    const drained = plane.bridge;
    await drained.stop(30_000);
    assert.equal(drained.child.exitCode, 0, 'SIGTERM drains and exits cleanly');
    const afterDrain = await plane.countRows();

    plane.startBridge();
    await waitFor(
      'progress after restart',
      () => plane.countRows(),
      (rows) => rows > afterDrain + 500,
    );
    await plane.bridge.kill();
    plane.startBridge();
    await publishing;

    // Assess: messages the killed bridge held come back after ack_wait or sooner via nak.
    await waitFor(
      'every event landed',
      () => rowsOf(events),
      (rows) => rows === burst,
      120_000,
    );
    await settled(120_000);
    assert.equal(await rowsOf(events), burst);
    const ids = events.map((event) => String(event.id));
    const lettered = (await plane.deadLetters()).filter((letter) => letter.eventId !== null && ids.includes(letter.eventId));
    assert.deepEqual(lettered, [], 'no event of the burst was dead-lettered');
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });
});
