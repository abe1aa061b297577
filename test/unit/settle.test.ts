import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../../bridge/backoff.ts';
import type { Outcome } from '../../bridge/pipeline.ts';
import { settle } from '../../bridge/settle.ts';

const retry = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000, maxDeliver: 20 };
const failed = (retryable: boolean): Outcome => ({
  kind: 'failed',
  failure: { stage: 'sink-write', reason: retryable ? 'sink_unavailable' : 'sink_rejected', message: 'x', retryable },
  deadLetterSubject: 'deadletter.x',
  eventId: 'e1',
  routeKey: { type: 'a', version: 'v1' },
  retryBudget: undefined,
});

describe('settle', () => {
  test('a committed record is acked, duplicate or not', () => {
    assert.deepEqual(settle({ kind: 'committed', duplicate: true, eventId: 'e', routeKey: { type: 'a', version: 'v1' } }, 1, retry), { action: 'ack' });
  });

  test('a permanent failure is dead-lettered on its first delivery', () => {
    const settlement = settle(failed(false), 1, retry);
    assert.equal(settlement.action, 'dead-letter');
    assert.equal(settlement.action === 'dead-letter' && settlement.failure.reason, 'sink_rejected');
  });

  test('a transient failure is retried with a delay until the budget is spent, then dead-lettered', () => {
    assert.equal(settle(failed(true), 1, retry).action, 'retry');
    assert.equal(settle(failed(true), 2, retry).action, 'retry');
    const last = settle(failed(true), 3, retry);
    assert.equal(last.action, 'dead-letter');
    assert.ok(last.action === 'dead-letter' && last.failure.reason === 'retries_exhausted', JSON.stringify(last));
    assert.match(last.action === 'dead-letter' ? last.failure.message : '', /3 attempts; last failure sink_unavailable/);
  });
});

describe('settle with a route retry budget', () => {
  test("the route budget replaces the default, capped below the server's max deliveries", () => {
    const withBudget = (budget: number): Outcome => ({ ...failed(true), retryBudget: budget }) as Outcome;
    assert.equal(settle(withBudget(5), 4, retry).action, 'retry', 'budget 5 allows a 5th delivery');
    assert.equal(settle(withBudget(5), 5, retry).action, 'dead-letter');
    assert.equal(settle(withBudget(1), 1, retry).action, 'dead-letter');
    assert.equal(settle(withBudget(100), 9, { ...retry, maxDeliver: 10 }).action, 'dead-letter', 'never beyond maxDeliver - 1');
  });
});

describe('settle honours Retry-After', () => {
  test('waits at least what the sink asked, within the maximum delay', () => {
    const asked = (ms: number): Outcome => ({ ...failed(true), failure: { ...(failed(true) as { failure: object }).failure, retryAfterMs: ms } }) as Outcome;
    const short = settle(asked(5_000), 1, retry, () => 0);
    assert.deepEqual(short, { action: 'retry', delayMs: 5_000 });
    const long = settle(asked(600_000), 1, retry, () => 0);
    assert.deepEqual(long, { action: 'retry', delayMs: retry.maxDelayMs });
  });
});

describe('retryDelayMs', () => {
  test('doubles per attempt, caps at the maximum, and jitters within the upper half', () => {
    assert.equal(
      retryDelayMs(1, retry, () => 1),
      1000,
    );
    assert.equal(
      retryDelayMs(2, retry, () => 1),
      2000,
    );
    assert.equal(
      retryDelayMs(3, retry, () => 0),
      2000,
    );
    assert.equal(
      retryDelayMs(20, retry, () => 1),
      10_000,
    );
    assert.equal(
      retryDelayMs(1000, retry, () => 0.5),
      7500,
    );
  });
});

describe('settle: the exact settlement of each outcome', () => {
  type FailedOutcome = Extract<Outcome, { kind: 'failed' }>;
  const failedWith = (failure: FailedOutcome['failure']): Outcome => ({ ...(failed(true) as FailedOutcome), failure });
  test('a transient failure without Retry-After waits exactly the backoff delay', () => {
    const settlement = settle(failed(true), 2, retry, () => 1);
    assert.deepEqual(settlement, { action: 'retry', delayMs: retryDelayMs(2, retry, () => 1) });
    assert.deepEqual(
      settle(failed(true), 2, retry, () => 1),
      { action: 'retry', delayMs: 2000 },
    );
  });

  test('a Retry-After shorter than the backoff leaves the backoff delay in place', () => {
    const asked = failedWith({ ...(failed(true) as FailedOutcome).failure, retryAfterMs: 10 });
    assert.deepEqual(
      settle(asked, 2, retry, () => 1),
      { action: 'retry', delayMs: 2000 },
    );
  });

  test('the dead letter of a permanent failure is that failure, unchanged', () => {
    const outcome = failed(false) as FailedOutcome;
    assert.deepEqual(settle(outcome, 1, retry), { action: 'dead-letter', failure: outcome.failure });
  });

  test('a spent retry budget dead-letters a permanent retries_exhausted failure from the same stage', () => {
    const outcome = failedWith({ stage: 'route', reason: 'registry_unavailable', message: 'db down', retryable: true });
    assert.deepEqual(settle(outcome, 3, retry), {
      action: 'dead-letter',
      failure: {
        stage: 'route',
        reason: 'retries_exhausted',
        message: 'gave up after 3 attempts; last failure registry_unavailable: db down',
        retryable: false,
      },
    });
  });

  test('with the default budget the last retry is the one before maxAttempts, and maxDeliver caps it too', () => {
    assert.equal(settle(failed(true), 2, retry).action, 'retry');
    assert.equal(settle(failed(true), 3, retry).action, 'dead-letter');
    // maxDeliver 3 leaves room for two deliveries whatever maxAttempts says: the bridge must write the reason first.
    const tight = { ...retry, maxAttempts: 10, maxDeliver: 3 };
    assert.equal(settle(failed(true), 1, tight).action, 'retry');
    assert.equal(settle(failed(true), 2, tight).action, 'dead-letter');
  });
});
