import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sampleEvent } from '../../shared/producer/index.ts';
import type { BridgeExitStep } from '../../shared/config/index.ts';
import type { DeadLetter } from '../../shared/deadletters/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type LogLine, type TestPlane } from '../helpers/plane.ts';

// A few events per case: enough for a batch, and each crash costs one ack_wait (5 s) before the redelivery.
const VALID = 6;
const INVALID = 3;

/**
 * The bridge's settlement order, proven by killing or failing the bridge at the exact step
 * (FAULT_BRIDGE_EXIT_AT, FAULT_DEAD_LETTER_PUBLISH_FAILURES: test-only) and counting rows and
 * letters afterwards. The promises (ARCHITECTURE.md): nothing is acknowledged before the sink has
 * committed it; nothing is terminated before its dead letter is stored; dead-letter publishes are
 * deduplicated. One plane for the file; each test starts the bridges it needs and counts only the
 * events it published.
 */
describe('the bridge settles in order: ack after the sink commit, term after the stored dead letter (real chain)', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await createTestPlane({ bridgeEnv: { RETRY_BASE_DELAY_MS: '100', RETRY_MAX_DELAY_MS: '300' } });
  });

  after(async () => {
    await plane?.close();
  });

  type Published = { readonly eventIds: string[]; readonly sequences: number[] };

  async function publishValid(count: number): Promise<Published> {
    const producer = createProducer(plane.js);
    const published: Published = { eventIds: [], sequences: [] };
    for (let i = 0; i < count; i++) {
      const event = sampleEvent(plane.route);
      const ack = await producer.publish(plane.route, event);
      published.eventIds.push(event.id);
      published.sequences.push(ack.seq);
    }
    return published;
  }

  /** Undecodable payloads: validate refuses each (not retryable), so each must become one dead letter. */
  async function publishInvalid(count: number): Promise<number[]> {
    const producer = createProducer(plane.js);
    const sequences: number[] = [];
    for (let i = 0; i < count; i++) sequences.push((await producer.publishRaw(plane.route.subject, randomBytes(12 + i))).seq);
    return sequences;
  }

  async function rowsOf(eventIds: readonly string[]): Promise<number> {
    const [row] = await plane.sql<{ count: number }[]>`select count(*)::int as count from metric_events where event_id = any(${eventIds}::text[])`;
    return row!.count;
  }

  async function lettersOf(sequences: readonly number[]): Promise<DeadLetter[]> {
    return (await plane.deadLetters()).filter((letter) => letter.streamSequence > 0 && sequences.includes(letter.streamSequence));
  }

  async function settled(): Promise<void> {
    await waitFor(
      'the consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      60_000,
    );
  }

  /** Waits for the bridge to die of its fault and returns the line it wrote as it did. */
  async function diedAt(step: BridgeExitStep): Promise<LogLine> {
    const { child } = plane.bridge;
    await waitFor(
      `the bridge to kill itself at ${step}`,
      async () => child.exitCode ?? child.signalCode,
      (exit) => exit !== null,
      60_000,
    );
    assert.equal(child.signalCode, 'SIGKILL', `the bridge died of its own SIGKILL, not exit code ${child.exitCode}`);
    const line = (await plane.bridgeLogLines()).find((entry) => entry.msg.startsWith('injected fault: the bridge kills itself'));
    assert.ok(line !== undefined, 'the bridge logged the fault before it died');
    assert.equal(line.step, step);
    return line;
  }

  test('a bridge that dies after validate and route, before any sink write, acknowledged nothing: after a restart each event is exactly one row', async () => {
    await plane.bridge.stop();
    const published = await publishValid(VALID);
    plane.startBridge({ FAULT_BRIDGE_EXIT_AT: 'before-sink-write' });
    await diedAt('before-sink-write');
    assert.equal(await rowsOf(published.eventIds), 0, 'the bridge died before the sink saw any event');

    plane.startBridge();
    await settled();
    assert.equal(await rowsOf(published.eventIds), VALID, 'every event came back and landed: none had been acknowledged');
    assert.deepEqual(await lettersOf(published.sequences), []);
    const counts = await plane.stopBridge();
    assert.equal(counts.committed, VALID, 'the restarted bridge wrote every event itself');
    assert.equal(counts.duplicates, 0);
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a bridge that dies after the sink committed, before any ack, loses nothing: the redeliveries are answered duplicate, each event one row', async () => {
    await plane.bridge.stop();
    const published = await publishValid(VALID);
    plane.startBridge({ FAULT_BRIDGE_EXIT_AT: 'after-sink-commit' });
    const fault = await diedAt('after-sink-commit');
    const committedBeforeCrash = fault.committed;
    assert.ok(typeof committedBeforeCrash === 'number' && committedBeforeCrash > 0, JSON.stringify(fault));
    assert.ok((await rowsOf(published.eventIds)) >= committedBeforeCrash, 'the rows the sink committed before the crash are there');

    plane.startBridge();
    await settled();
    assert.equal(await rowsOf(published.eventIds), VALID);
    assert.deepEqual(await lettersOf(published.sequences), []);
    const counts = await plane.stopBridge();
    // Every event came again (none had been acknowledged); those the sink already held were answered `duplicate`.
    assert.equal(counts.committed + counts.duplicates, VALID, JSON.stringify(counts));
    assert.ok(
      counts.duplicates >= committedBeforeCrash,
      `sink-write answered duplicate for the ${committedBeforeCrash} events committed before the crash: ${JSON.stringify(counts)}`,
    );
    assert.equal(counts.deadLettered, 0);
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a dead-letter publish that fails terminates nothing: each refused event is retried and ends as exactly one letter', async () => {
    await plane.bridge.stop();
    const valid = await publishValid(2);
    const invalid = await publishInvalid(INVALID);
    // Every refused event's first publish fails: the stream never sees it.
    plane.startBridge({ FAULT_DEAD_LETTER_PUBLISH_FAILURES: String(INVALID) });
    await settled();

    const letters = await lettersOf(invalid);
    assert.deepEqual(
      letters.map((letter) => letter.streamSequence).sort((a, b) => a - b),
      invalid,
      'one letter per refused event, none lost',
    );
    assert.ok(letters.every((letter) => letter.reason === 'avro_decode_failed'));
    // Stored on the redelivery: the failed publish had left the original in the stream.
    assert.deepEqual(
      letters.map((letter) => letter.attempts),
      Array(INVALID).fill(2),
    );
    assert.equal(await rowsOf(valid.eventIds), 2);
    const lines = await plane.bridgeLogLines();
    assert.equal(lines.filter((line) => line.msg.startsWith('injected fault: dead-letter publish fails')).length, INVALID, 'the fault fired for each');
    assert.equal(lines.filter((line) => line.msg === 'dead-letter publish failed; will retry').length, INVALID);
    const counts = await plane.stopBridge();
    assert.equal(counts.deadLettered, INVALID);
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a bridge that dies after storing a dead letter, before the term, leaves exactly one letter per event: the republished letter is deduplicated', async () => {
    await plane.bridge.stop();
    const invalid = await publishInvalid(INVALID);
    plane.startBridge({ FAULT_BRIDGE_EXIT_AT: 'after-dead-letter-publish' });
    const fault = await diedAt('after-dead-letter-publish');
    const storedBeforeCrash = await lettersOf(invalid);
    assert.ok(
      storedBeforeCrash.some((letter) => letter.id === fault.letterId),
      `the letter ${String(fault.letterId)} was stored before the crash`,
    );

    plane.startBridge();
    await settled();
    const letters = await lettersOf(invalid);
    assert.deepEqual(
      letters.map((letter) => letter.streamSequence).sort((a, b) => a - b),
      invalid,
      'exactly one letter per refused event',
    );
    const counts = await plane.stopBridge();
    // None had been terminated, so the restarted bridge dead-lettered every one again: the stream
    // kept the first copy of those it already had.
    assert.equal(counts.deadLettered, INVALID, JSON.stringify(counts));
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });
});
