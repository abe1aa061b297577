import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { combineSinkAnswers } from '../../bridge/fanOut.ts';
import { TargetLimiter } from '../../bridge/targetLimiter.ts';
import type { SinkWriteResult } from '../../shared/sinks/index.ts';
import { FailureReason, type RecordFailure } from '../../shared/failures/index.ts';

function ok(duplicate = false): SinkWriteResult {
  return { id: '1', ok: true, duplicate };
}

function failed(reason: RecordFailure['reason'], retryable: boolean, message: string, retryAfterMs?: number): SinkWriteResult {
  return { id: '1', ok: false, failure: { stage: 'sink-write', reason, message, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } };
}

describe("combineSinkAnswers: one record, its sinks' answers", () => {
  test('one sink: its own answer, unchanged', () => {
    assert.deepEqual(combineSinkAnswers([{ sink: 'postgres:t', result: ok(true) }]), { ok: true, duplicate: true });
    const single = combineSinkAnswers([{ sink: 'postgres:t', result: failed(FailureReason.sinkRejected, false, 'bad value') }]);
    assert.equal(single.ok, false);
    assert.equal(single.ok === false && single.failure.sinks, undefined, 'no per-sink detail for a single sink');
  });

  test('fan-out: delivered only when every sink has the event; a duplicate only when all were', () => {
    assert.deepEqual(
      combineSinkAnswers([
        { sink: 'a', result: ok(false) },
        { sink: 'b', result: ok(true) },
      ]),
      { ok: true, duplicate: false },
    );
    assert.deepEqual(
      combineSinkAnswers([
        { sink: 'a', result: ok(true) },
        { sink: 'b', result: ok(true) },
      ]),
      { ok: true, duplicate: true },
    );
  });

  test('fan-out: a transient failure of one sink is retryable and names what each sink did', () => {
    const combined = combineSinkAnswers([
      { sink: 'postgres:t', result: ok() },
      { sink: 'http:https://a.example/in', result: failed(FailureReason.sinkUnavailable, true, 'HTTP 503', 2000) },
      { sink: 'nats:out', result: ok() },
    ]);
    assert.equal(combined.ok, false);
    if (combined.ok) return;
    assert.equal(combined.failure.retryable, true);
    assert.equal(combined.failure.reason, FailureReason.sinkUnavailable);
    assert.equal(combined.failure.retryAfterMs, 2000);
    assert.match(combined.failure.message, /^1 of 3 sinks failed: http:https:\/\/a\.example\/in: HTTP 503$/);
    assert.deepEqual(combined.failure.sinks, [
      { sink: 'postgres:t', delivered: true },
      { sink: 'http:https://a.example/in', delivered: false, reason: 'sink_unavailable', message: 'HTTP 503', retryable: true },
      { sink: 'nats:out', delivered: true },
    ]);
  });

  test('fan-out: permanent only when every failed sink refused for good; a retryable reason leads otherwise', () => {
    const mixed = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkRejected, false, '422') },
      { sink: 'b', result: failed(FailureReason.sinkUnavailable, true, 'timeout') },
    ]);
    assert.equal(mixed.ok === false && mixed.failure.retryable, true);
    assert.equal(mixed.ok === false && mixed.failure.reason, FailureReason.sinkUnavailable);
    const permanent = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkRejected, false, '422') },
      { sink: 'b', result: ok() },
    ]);
    assert.equal(permanent.ok === false && permanent.failure.retryable, false);
    assert.equal(permanent.ok === false && permanent.failure.reason, FailureReason.sinkRejected);
  });
});

describe('combineSinkAnswers: the combined failure, exactly', () => {
  test('two failed sinks: both named in order, the longest Retry-After of the retryable ones, the stage of the lead', () => {
    const combined = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkUnavailable, true, 'HTTP 503', 1000) },
      { sink: 'b', result: ok() },
      { sink: 'c', result: failed(FailureReason.sinkUnavailable, true, 'HTTP 429', 3000) },
    ]);
    assert.deepEqual(combined, {
      ok: false,
      failure: {
        stage: 'sink-write',
        reason: 'sink_unavailable',
        message: '2 of 3 sinks failed: a: HTTP 503; c: HTTP 429',
        retryable: true,
        retryAfterMs: 3000,
        sinks: [
          { sink: 'a', delivered: false, reason: 'sink_unavailable', message: 'HTTP 503', retryable: true },
          { sink: 'b', delivered: true },
          { sink: 'c', delivered: false, reason: 'sink_unavailable', message: 'HTTP 429', retryable: true },
        ],
      },
    });
  });

  test('no Retry-After anywhere: the combined failure carries none', () => {
    const combined = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkRejected, false, '422') },
      { sink: 'b', result: failed(FailureReason.sinkUnavailable, true, 'timeout') },
    ]);
    assert.equal(combined.ok, false);
    assert.ok(!combined.ok && !('retryAfterMs' in combined.failure), JSON.stringify(combined));
  });

  test('a Retry-After from a sink that refused for good does not delay the retry of the others', () => {
    const combined = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkRejected, false, '422', 60_000) },
      { sink: 'b', result: failed(FailureReason.sinkUnavailable, true, 'timeout', 500) },
    ]);
    assert.equal(!combined.ok && combined.failure.retryAfterMs, 500);
  });

  test('the combined message is cut at 1000 characters, the per-sink messages are kept whole', () => {
    const long = 'x'.repeat(800);
    const combined = combineSinkAnswers([
      { sink: 'a', result: failed(FailureReason.sinkUnavailable, true, long) },
      { sink: 'b', result: failed(FailureReason.sinkUnavailable, true, long) },
    ]);
    assert.ok(!combined.ok, 'the record failed');
    assert.equal(combined.failure.message.length, 1000);
    assert.ok(combined.failure.message.startsWith(`2 of 2 sinks failed: a: ${long}; b: x`), 'both sinks named, in order');
    assert.deepEqual(
      combined.failure.sinks?.map((sink) => (sink.delivered ? '' : sink.message.length)),
      [800, 800],
    );
  });
});

describe('TargetLimiter', () => {
  test('holds each target to its own concurrency and lets other targets through', async () => {
    const limiter = new TargetLimiter(2);
    let peakSlow = 0;
    let activeSlow = 0;
    const releases: (() => void)[] = [];
    const slow = (): Promise<void> =>
      limiter.run('slow', async () => {
        activeSlow++;
        peakSlow = Math.max(peakSlow, activeSlow);
        await new Promise<void>((resolve) => releases.push(resolve));
        activeSlow--;
      });
    const slowCalls = [slow(), slow(), slow(), slow(), slow()];
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(limiter.active('slow'), 2);
    assert.equal(releases.length, 2, 'only two writes reached the slow target');

    // Another target is not queued behind the slow one.
    assert.equal(await limiter.run('fast', async () => 'done'), 'done');

    while (releases.length > 0 || activeSlow > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(slowCalls);
    assert.equal(peakSlow, 2);
    assert.equal(limiter.active('slow'), 0);
  });

  test('a failing call gives its slot back', async () => {
    const limiter = new TargetLimiter(1);
    await assert.rejects(
      limiter.run('t', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await limiter.run('t', async () => 1), 1);
    assert.throws(() => new TargetLimiter(0), RangeError);
  });
});
