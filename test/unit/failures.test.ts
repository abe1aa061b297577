import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';

describe('IngestError', () => {
  test('carries stage, reason, retryable flag and cause, and travels as a plain failure', () => {
    const cause = new Error('socket hang up');
    const error = new IngestError(Stage.sinkWrite, FailureReason.sinkUnavailable, 'HTTP sink did not answer', { retryable: true, cause });
    assert.equal(error.name, 'IngestError');
    assert.equal(error.message, 'HTTP sink did not answer');
    assert.equal(error.cause, cause);
    assert.equal(error.retryAfterMs, undefined);
    assert.ok(error instanceof Error, 'an IngestError is an Error');
    const failure = error.toFailure();
    assert.deepEqual(failure, { stage: 'sink-write', reason: 'sink_unavailable', message: 'HTTP sink did not answer', retryable: true });
    assert.ok(!('retryAfterMs' in failure), 'no retryAfterMs key when the sink named no wait');
  });

  test('a Retry-After travels with the failure, and a permanent failure says so', () => {
    const error = new IngestError(Stage.sinkWrite, FailureReason.sinkUnavailable, 'HTTP 503', { retryable: true, retryAfterMs: 2500 });
    assert.deepEqual(error.toFailure(), { stage: 'sink-write', reason: 'sink_unavailable', message: 'HTTP 503', retryable: true, retryAfterMs: 2500 });
    const permanent = new IngestError(Stage.validate, FailureReason.avroDecodeFailed, 'bad body', { retryable: false });
    assert.deepEqual(permanent.toFailure(), { stage: 'validate', reason: 'avro_decode_failed', message: 'bad body', retryable: false });
  });

  test('stages and reason codes keep their wire names (operators filter dead letters on them)', () => {
    assert.deepEqual(Stage, { bridge: 'bridge', validate: 'validate', route: 'route', sinkWrite: 'sink-write' });
    assert.equal(FailureReason.retriesExhausted, 'retries_exhausted');
    assert.equal(FailureReason.maxDeliveriesExceeded, 'max_deliveries_exceeded');
    assert.equal(FailureReason.malformedResponse, 'malformed_response');
    assert.equal(FailureReason.invalidFrame, 'invalid_frame');
    assert.equal(FailureReason.payloadTooLarge, 'payload_too_large');
    assert.equal(FailureReason.registryChanged, 'registry_changed');
    assert.equal(new Set(Object.values(FailureReason)).size, Object.keys(FailureReason).length, 'no code is used for two meanings');
  });
});
