import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CheckResult, runReplay } from '../../shared/stages/dlqReplay/replay.ts';
import type { DeadLetter, DeadLetterStore, StoredLetter } from '../../shared/deadletters/index.ts';
import { storedLetter } from '../helpers/storedLetter.ts';

/** A letter of the ingest stream at `seq` whose original passes the check (what is tested here is the pace). */
function replayableLetter(seq: number): StoredLetter {
  return storedLetter(seq, { payload: 'AA==' });
}

/** Only what runReplay calls for letters that pass: scan, original, remove. */
function lettersInMemory(count: number): DeadLetterStore {
  let letters = Array.from({ length: count }, (_, index) => replayableLetter(index + 1));
  return {
    async scan(visit) {
      for (const stored of [...letters]) if (!(await visit(stored))) return;
    },
    async list(limit) {
      return letters.slice(0, limit);
    },
    async find(id) {
      return letters.find((stored) => stored.letter.id === id);
    },
    async original(letter: DeadLetter) {
      return { headers: letter.headers, payload: letter.payload ?? '' };
    },
    async replace() {
      assert.fail('a letter that passes is never rewritten');
    },
    async remove(stored) {
      letters = letters.filter((other) => other.seq !== stored.seq);
    },
  };
}

/**
 * Replays `count` letters at `ratePerSecond` on a clock that only moves when the replay sleeps
 * (plus `publishCostMs` per republish), and returns the clock at each republish.
 */
async function republishTimes(count: number, ratePerSecond: number, publishCostMs = 0): Promise<number[]> {
  let fakeMs = 1_000_000;
  const times: number[] = [];
  const report = await runReplay(
    {},
    {
      store: lettersInMemory(count),
      check: async (): Promise<CheckResult> => ({ ok: true }),
      republish: async () => {
        times.push(fakeMs);
        fakeMs += publishCostMs;
      },
      maxReplays: 5,
      limit: count,
      ratePerSecond,
      clockMs: () => fakeMs,
      sleep: async (ms) => {
        assert.ok(ms > 0, `a sleep of ${ms} ms`);
        fakeMs += ms;
      },
    },
  );
  assert.equal(report.counts.replayed, count);
  return times.map((time) => time - times[0]!);
}

describe('dlq-replay keeps to DLQ_REPLAY_RATE_PER_SECOND (injected clock)', () => {
  for (const [count, ratePerSecond] of [
    [6, 5],
    [50, 500],
    [200, 4000],
    [1000, 1_000_000],
  ] as const) {
    test(`${count} letters at ${ratePerSecond}/s: the k-th republish starts at least k/${ratePerSecond} s after the first`, async () => {
      const times = await republishTimes(count, ratePerSecond);
      assert.equal(times.length, count);
      times.forEach((elapsedMs, k) => {
        assert.ok(elapsedMs >= (k * 1000) / ratePerSecond, `republish ${k} came ${elapsedMs} ms after the first, before ${(k * 1000) / ratePerSecond} ms`);
      });
    });
  }

  test('time a republish takes counts towards its slot: no pause beyond the rate', async () => {
    // Each republish takes 3 ms of a 2 ms slot: the schedule is behind, so nothing sleeps.
    const times = await republishTimes(10, 500, 3);
    assert.deepEqual(
      times,
      Array.from({ length: 10 }, (_, k) => k * 3),
    );
  });
});
