import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sampleEvent } from '../../shared/producer/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const VALID = 60;
const INVALID = 5;

/**
 * sink-write commits every write and then loses its answer (FAULT_LOSE_ANSWER_PERCENT=100), so
 * every attempt of every event looks failed to the bridge and the retry budget runs out. Before
 * the bridge dead-letters such an event it asks the sink whether it holds it; the table does, so
 * the event is settled as delivered: one row, no dead letter.
 */
describe('a write that committed but whose answer was lost is not also a dead letter (real chain)', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await createTestPlane({
      bridgeEnv: { FAULT_LOSE_ANSWER_PERCENT: '100', RETRY_MAX_ATTEMPTS: '2', RETRY_BASE_DELAY_MS: '100', RETRY_MAX_DELAY_MS: '200' },
    });
  });

  after(async () => {
    await plane?.close();
  });

  test('every valid event is one row and no letter; every invalid one is one letter', async () => {
    const producer = createProducer(plane.js);
    const ids: string[] = [];
    for (let i = 0; i < VALID; i++) {
      const event = sampleEvent(plane.route);
      ids.push(event.id);
      await producer.publish(plane.route, event);
      if (i % (VALID / INVALID) === 0) await producer.publishRaw(plane.route.subject, randomBytes(16));
    }

    await waitFor(
      'the consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      90_000,
    );
    const [rows] = await plane.sql<{ count: number; distinct: number }[]>`
      select count(*)::int as count, count(distinct event_id)::int as distinct from metric_events where event_id = any(${ids})`;
    assert.deepEqual(rows, { count: VALID, distinct: VALID });
    const doubled = await plane.doubling();
    assert.deepEqual(doubled.rowAndLetter, [], 'no event is both a row and a dead letter');
    assert.deepEqual(doubled.repeatedLetters, []);
    const letters = await plane.deadLetters();
    assert.equal(letters.length, INVALID, JSON.stringify(letters.map((letter) => [letter.reason, letter.message])));
    assert.ok(
      letters.every((letter) => letter.reason === 'avro_decode_failed'),
      'no valid event was dead-lettered',
    );

    // The fault did fire: every write's answer was lost, and the retry budget ran out.
    const offlineLog = await readFile(join(plane.logDir, `ingest-offline-${plane.runId}.log`), 'utf8');
    assert.match(offlineLog, /injected fault \(FAULT_LOSE_ANSWER_PERCENT, after the handler ran\)/);
  });
});
