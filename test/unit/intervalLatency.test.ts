import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntervalLatency } from '../../bridge/intervalLatency.ts';

/** The recorder's promise: a quantile within 4 % of the exact one. */
function near(actual: number | null, exact: number): boolean {
  return actual !== null && Math.abs(actual - exact) <= exact * 0.04 + 0.1;
}

describe('interval latency (publish → commit, per figures interval)', () => {
  test('nothing recorded: no quantiles; one sample: exactly it', () => {
    const latency = new IntervalLatency();
    assert.deepEqual(latency.take(), { count: 0, p50Ms: null, p95Ms: null });
    latency.record(123.4);
    assert.deepEqual(latency.take(), { count: 1, p50Ms: 123.4, p95Ms: 123.4 });
  });

  test('p50 and p95 within 4 % of the exact ones, whatever the spread', () => {
    const latency = new IntervalLatency();
    for (let ms = 1; ms <= 1000; ms++) latency.record(ms);
    const taken = latency.take();
    assert.equal(taken.count, 1000);
    assert.ok(near(taken.p50Ms, 500), String(taken.p50Ms));
    assert.ok(near(taken.p95Ms, 950), String(taken.p95Ms));
    // Mostly fast, a slow tail: the p95 sees the tail, the p50 does not.
    for (let i = 0; i < 900; i++) latency.record(2 + (i % 10) / 10);
    for (let i = 0; i < 100; i++) latency.record(4000 + i);
    const tailed = latency.take();
    assert.ok(near(tailed.p50Ms, 2.5), String(tailed.p50Ms));
    assert.ok(near(tailed.p95Ms, 4050), String(tailed.p95Ms));
  });

  test('take empties it: each interval stands alone; tiny and huge values are kept within what was seen', () => {
    const latency = new IntervalLatency();
    latency.record(0);
    latency.record(0.01);
    assert.deepEqual(latency.take(), { count: 2, p50Ms: 0, p95Ms: 0 });
    assert.deepEqual(latency.take(), { count: 0, p50Ms: null, p95Ms: null });
    latency.record(10 * 3_600_000);
    assert.deepEqual(latency.take(), { count: 1, p50Ms: 36_000_000, p95Ms: 36_000_000 });
  });
});
