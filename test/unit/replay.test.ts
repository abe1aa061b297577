import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CheckResult, runReplay } from '../../shared/stages/dlqReplay/replay.ts';
import { memoryStore } from '../helpers/memoryDeadLetterStore.ts';
import { storedLetter } from '../helpers/storedLetter.ts';

describe('runReplay', () => {
  test('parked letters at the head of the stream do not use up the limit', async () => {
    const parked = [1, 2, 3, 4, 5].map((seq) => storedLetter(seq, { parked: true, replayCount: 5 }));
    const store = memoryStore([...parked, storedLetter(6), storedLetter(7), storedLetter(8)]);
    const republished: number[] = [];
    const report = await runReplay(
      {},
      {
        store,
        check: async (): Promise<CheckResult> => ({ ok: true }),
        republish: async (l) => void republished.push(l.streamSequence),
        maxReplays: 5,
        limit: 2,
        ratePerSecond: 1_000_000,
      },
    );
    assert.deepEqual(republished, [6, 7], 'the limit counts letters checked, not parked ones skipped');
    assert.equal(report.examined, 2);
    assert.equal(report.counts['already-parked'], 5);
    assert.deepEqual(
      store.letters.map((l) => l.seq),
      [1, 2, 3, 4, 5, 8],
    );
  });

  test('a letter that still fails counts a replay and is parked at the limit; a registry outage changes nothing', async () => {
    const store = memoryStore([storedLetter(1, { replayCount: 1 }), storedLetter(2)]);
    const report = await runReplay(
      {},
      {
        store,
        check: async (l): Promise<CheckResult> =>
          l.streamSequence === 1
            ? { ok: false, failure: { stage: 'route', reason: 'unknown_route', message: 'still no route', retryable: false } }
            : { ok: false, failure: { stage: 'route', reason: 'registry_unavailable', message: 'down', retryable: true } },
        republish: async () => assert.fail('nothing passes the check'),
        maxReplays: 2,
        limit: 10,
        ratePerSecond: 1_000_000,
      },
    );
    assert.equal(report.counts.parked, 1);
    assert.equal(report.counts.deferred, 1);
    const moved = store.letters.find((l) => l.letter.streamSequence === 1)!;
    assert.equal(moved.letter.replayCount, 2);
    assert.equal(moved.letter.parked, true);
    assert.equal(store.letters.find((l) => l.letter.streamSequence === 2)!.letter.replayCount, 0);
  });

  test('a rewritten letter keeps its id and its first failure time; only the last failure time moves', async () => {
    const store = memoryStore([storedLetter(1), storedLetter(2)]);
    const later = new Date('2026-03-01T00:00:00.000Z');
    await runReplay(
      { ids: ['INGEST:2'] },
      {
        store,
        check: async (): Promise<CheckResult> => ({
          ok: false,
          failure: { stage: 'route', reason: 'unknown_route', message: 'still no route', retryable: false },
        }),
        republish: async () => assert.fail('nothing passes the check'),
        maxReplays: 5,
        limit: 10,
        ratePerSecond: 1_000_000,
        now: () => later,
      },
    );
    const [untouched, rewritten] = store.letters;
    assert.equal(untouched!.letter.replayCount, 0, 'a letter the ids filter leaves out is not examined');
    assert.notEqual(rewritten!.seq, 2, 'the rewrite is a new message in the stream');
    assert.equal(rewritten!.letter.id, 'INGEST:2', 'but the letter keeps its id');
    assert.equal(rewritten!.letter.firstFailedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(rewritten!.letter.lastFailedAt, later.toISOString());
    assert.equal(await store.find('INGEST:2'), rewritten);
  });

  test('a letter whose original has expired from the object store is parked with the reason', async () => {
    const gone = storedLetter(1, { payload: undefined, stored: { bucket: 'B', object: 'INGEST:1', payloadBytes: 900_000 } });
    const store = memoryStore([gone]);
    const report = await runReplay(
      {},
      {
        store,
        check: async () => assert.fail('nothing to check without the original'),
        republish: async () => assert.fail('nothing to republish without the original'),
        maxReplays: 5,
        limit: 10,
        ratePerSecond: 1_000_000,
      },
    );
    assert.equal(report.counts.parked, 1);
    assert.match(report.items[0]!.detail ?? '', /no longer in object store bucket B/);
    assert.equal(store.letters[0]!.letter.parked, true);
  });
});
