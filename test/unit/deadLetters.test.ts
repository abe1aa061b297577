import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildDeadLetter,
  decodeDeadLetter,
  encodeDeadLetter,
  letterWithoutOriginal,
  NotADeadLetterError,
  parseLetterId,
} from '../../shared/deadletters/index.ts';

describe('dead-letter envelope', () => {
  const original = {
    subject: 'a.b.v1',
    headers: { 'Ingest-Replay-Count': ['2'] },
    data: new Uint8Array([1, 2, 3]),
    stream: 'INGEST',
    seq: 42,
    time: new Date('2026-01-01T00:00:00.000Z'),
    deliveries: 3,
  };
  const failure = { stage: 'validate', reason: 'avro_decode_failed', message: 'bad', retryable: false } as const;

  test('a built letter has a stable id, first and last failure times, and survives encoding', () => {
    const first = new Date('2026-01-01T00:01:00.000Z');
    const now = new Date('2026-01-01T00:02:00.000Z');
    const letter = buildDeadLetter(original, failure, { routeKey: { type: 'a.b', version: 'v1' }, eventId: 'e1', firstFailedAt: first, now });
    assert.equal(letter.id, 'INGEST:42');
    assert.equal(letter.routeKey, 'a.b.v1', 'stored as its type.version spelling');
    assert.equal(letter.firstFailedAt, first.toISOString());
    assert.equal(letter.lastFailedAt, now.toISOString());
    assert.equal(letter.replayCount, 2);
    assert.equal(letter.payload, 'AQID');
    assert.deepEqual(decodeDeadLetter(encodeDeadLetter(letter)), letter);
  });

  test('a letter whose original is stored apart stays small whatever the event held', () => {
    const huge = 'x'.repeat(900_000);
    const letter = buildDeadLetter(
      { ...original, headers: { Big: [huge] }, data: Buffer.alloc(900_000) },
      {
        ...failure,
        message: huge,
        sinks: [
          { sink: 'http:https://a.example/in', delivered: false, reason: 'sink_rejected', message: huge, retryable: false },
          { sink: 'postgres:t', delivered: true },
        ],
      },
      { routeKey: { type: 'a.b', version: 'v1' }, eventId: huge },
    );
    const stub = letterWithoutOriginal(letter, { bucket: 'B', object: letter.id, payloadBytes: 900_000 });
    assert.ok(encodeDeadLetter(stub).length < 16_000, `${encodeDeadLetter(stub).length} bytes`);
    assert.equal(stub.payload, undefined);
    assert.deepEqual(stub.headers, {});
    assert.equal(stub.id, letter.id);
    assert.equal(stub.reason, letter.reason);
    assert.ok(stub.eventId!.startsWith('xxx') && stub.message.startsWith('xxx'), 'bounded copies, not blanks');
    assert.deepEqual(stub.sinks?.[1], { sink: 'postgres:t', delivered: true });
  });

  test('a version 1 letter (before stable ids) is read as version 2', () => {
    const v1 = {
      version: 1,
      subject: 'a.b.v1',
      headers: {},
      payload: 'AQID',
      stream: 'INGEST',
      streamSequence: 7,
      publishedAt: 'x',
      stage: 'route',
      reason: 'unknown_route',
      message: 'm',
      attempts: 1,
      firstFailedAt: 'f',
      failedAt: 'l',
      replayCount: 0,
      routeKey: null,
      eventId: null,
    };
    const letter = decodeDeadLetter(Buffer.from(JSON.stringify(v1)));
    assert.equal(letter.version, 2);
    assert.equal(letter.id, 'INGEST:7');
    assert.equal(letter.lastFailedAt, 'l');
    assert.equal(letter.firstFailedAt, 'f');
    assert.equal('failedAt' in letter, false);
  });

  test('what is not a dead letter is refused with the reason', () => {
    for (const [text, reason] of [
      ['{', /not JSON/],
      ['{"version":3,"subject":"s","stream":"S","streamSequence":1}', /unknown version 3/],
      ['{"version":2,"subject":"s","stream":"S","streamSequence":1,"id":"S:1"}', /without a payload or stored original/],
      ['[]', /subject, stream or streamSequence missing/],
    ] as const) {
      assert.throws(
        () => decodeDeadLetter(Buffer.from(text)),
        (error: unknown) => error instanceof NotADeadLetterError && reason.test(error.message),
        text,
      );
    }
  });
});

describe('parseLetterId', () => {
  test('stream:sequence, or a bare sequence of the default stream', () => {
    assert.equal(parseLetterId('INGEST_x:15', 'INGEST'), 'INGEST_x:15');
    assert.equal(parseLetterId(' 15 ', 'INGEST'), 'INGEST:15');
  });

  test('anything else is not an id', () => {
    for (const text of ['', '0', '-1', 'INGEST:', ':5', 'IN GEST:5', 'INGEST:5:6', 'INGEST:05', 'INGEST:99999999999999999', '1.5']) {
      assert.equal(parseLetterId(text, 'INGEST'), undefined, text);
    }
  });
});
