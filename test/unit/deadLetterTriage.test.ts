import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LetterListView, LetterSummary as LetterSummaryView, LetterView, PurgeView } from '../../shared/console/views.ts';
import type { DeadLetter } from '../../shared/deadletters/index.ts';
import {
  type DecodedPayload,
  type LetterDetail,
  LetterFilterError,
  type LetterSummary,
  letterHistory,
  letterTraceId,
  listLetters,
  ORIGINAL_MISSING,
  PurgeCountChangedError,
  type PurgeResult,
  parseLetterFilter,
  purgeLetters,
  showLetter,
  summarizeLetter,
} from '../../shared/stages/index.ts';
import { memoryStore } from '../helpers/memoryDeadLetterStore.ts';
import { storedLetter } from '../helpers/storedLetter.ts';

/** True only when A and B are the same type (each assignable to the other, readonly included). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The list's JSON as the console would build it from listLetters. */
type ListAsView = {
  readonly letters: readonly LetterSummary[];
  readonly total: number;
  readonly byReason: Readonly<Record<string, number>>;
  readonly truncated: boolean;
};

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceparent = (traceId: string): string => `00-${traceId}-b7ad6b7169203331-01`;

/** A letter of the helper's shape, as a plain DeadLetter. */
const letterWith = (overrides: Partial<DeadLetter> = {}): DeadLetter => storedLetter(1, overrides).letter;

describe('dead-letter triage', () => {
  test("the library's types are the console views' shapes", () => {
    const same: [boolean, boolean, boolean, boolean] = [
      true satisfies Same<LetterSummary, LetterSummaryView>,
      true satisfies Same<LetterDetail, LetterView>,
      true satisfies Same<PurgeResult, PurgeView>,
      true satisfies Same<ListAsView, LetterListView>,
    ];
    assert.deepEqual(same, [true, true, true, true]);
    const decoded: DecodedPayload = { ok: false, reason: 'r', message: 'm' };
    const asView: LetterView['decoded'] = decoded;
    assert.equal(asView, decoded);
  });

  describe('parseLetterFilter', () => {
    test('every parameter, trimmed; empty values count as absent; the limit defaults to 100', () => {
      assert.deepEqual(
        parseLetterFilter({
          ids: 'INGEST:7, INGEST:9',
          reason: 'unknown_route',
          routeKey: 'metrics.cpu.usage.v1',
          subject: 'metrics.cpu.usage.v1',
          since: '2026-03-01T10:00:00Z',
          until: '2026-03-02T10:00:00.123+01:00',
          limit: '250',
        }),
        {
          filter: {
            ids: ['INGEST:7', 'INGEST:9'],
            reason: 'unknown_route',
            routeKey: 'metrics.cpu.usage.v1',
            subject: 'metrics.cpu.usage.v1',
            since: '2026-03-01T10:00:00Z',
            until: '2026-03-02T10:00:00.123+01:00',
          },
          limit: 250,
        },
      );
      assert.deepEqual(parseLetterFilter({}), { filter: {}, limit: 100 });
      assert.deepEqual(parseLetterFilter({ reason: '', subject: undefined, since: ' ', limit: '' }), { filter: {}, limit: 100 });
      assert.deepEqual(parseLetterFilter({ since: '2026-03-01', until: '2026-03-01', limit: '10000' }), {
        filter: { since: '2026-03-01', until: '2026-03-01' },
        limit: 10000,
      });
    });

    test('a bare sequence is a letter of the ingest stream when the caller names it, and refused otherwise', () => {
      assert.deepEqual(parseLetterFilter({ ids: '12,OTHER:3' }, { ingestStream: 'INGEST' }).filter, { ids: ['INGEST:12', 'OTHER:3'] });
      assert.throws(() => parseLetterFilter({ ids: '12' }), { name: 'LetterFilterError', parameter: 'ids', message: /"12" is not a dead-letter id/ });
    });

    test('each bad value is a LetterFilterError naming its parameter, never retryable', () => {
      const bad: [Record<string, string>, string, RegExp][] = [
        [{ reason: 'no_such_reason' }, 'reason', /not a failure reason; known: invalid_subject, unknown_route/],
        [{ since: 'last week' }, 'since', /not an ISO-8601 time/],
        [{ until: '2026-03-01 10:00:00Z' }, 'until', /not an ISO-8601 time/],
        [{ since: '2026-03-01T10:00:00' }, 'since', /a time needs its zone/],
        [{ since: '2026-02-30T10:00:00Z' }, 'since', /not an ISO-8601 time/],
        [{ until: '2026-03-01T24:30:00Z' }, 'until', /not an ISO-8601 time/],
        [{ since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' }, 'since', /after until \(2026-03-01T00:00:00Z\)/],
        [{ limit: '0' }, 'limit', /not a whole number from 1 to 10000/],
        [{ limit: '10001' }, 'limit', /from 1 to 10000/],
        [{ limit: '-5' }, 'limit', /from 1 to 10000/],
        [{ limit: '2.5' }, 'limit', /from 1 to 10000/],
        [{ limit: '1e3' }, 'limit', /from 1 to 10000/],
        [{ subject: 'metrics.>' }, 'subject', /not a NATS subject/],
        [{ subject: 'metrics cpu.v1' }, 'subject', /not a NATS subject/],
        [{ routeKey: 'metrics.cpu' }, 'routeKey', /not a route key/],
        [{ routeKey: 'v1' }, 'routeKey', /not a route key/],
        [{ routeKey: 'metrics.*.v1' }, 'routeKey', /not a route key/],
        [{ ids: 'INGEST:1,a:b' }, 'ids', /"a:b" is not a dead-letter id/],
        [{ ids: 'INGEST:1,,INGEST:2' }, 'ids', /"" is not a dead-letter id/],
        [{ reasons: 'unknown_route' }, 'reasons', /unknown filter parameter; known: ids, reason, routeKey, subject, since, until, limit/],
      ];
      for (const [params, parameter, message] of bad) {
        assert.throws(
          () => parseLetterFilter(params),
          (error: unknown) => {
            assert.ok(error instanceof LetterFilterError, JSON.stringify(params));
            assert.equal(error.parameter, parameter, JSON.stringify(params));
            assert.equal(error.retryable, false);
            assert.match(error.message, message, JSON.stringify(params));
            return true;
          },
        );
      }
    });
  });

  describe('summarizeLetter', () => {
    test('the summary fields only, with parked a plain boolean', () => {
      const stored = storedLetter(4, { headers: { a: ['b'] }, sinks: [{ sink: 'postgres:t', delivered: true }] });
      assert.deepEqual(summarizeLetter(stored), {
        id: 'INGEST:4',
        subject: 'a.b.v1',
        routeKey: 'a.b.v1',
        stage: 'route',
        reason: 'unknown_route',
        message: 'no route',
        attempts: 1,
        replayCount: 0,
        parked: false,
        firstFailedAt: '2026-01-01T00:00:00.000Z',
        lastFailedAt: '2026-01-01T00:00:00.000Z',
        eventId: 'e4',
      });
      assert.equal(summarizeLetter(storedLetter(5, { parked: true })).parked, true);
    });
  });

  describe('letterHistory', () => {
    test('a letter that failed for good at once: published, then dead-lettered with its reason and attempts', () => {
      assert.deepEqual(
        letterHistory(
          letterWith({ publishedAt: '2026-01-01T00:00:00.000Z', firstFailedAt: '2026-01-01T00:00:01.000Z', lastFailedAt: '2026-01-01T00:00:01.000Z' }),
        ),
        [
          { at: '2026-01-01T00:00:00.000Z', what: 'published on a.b.v1 (INGEST sequence 1)' },
          { at: '2026-01-01T00:00:01.000Z', what: 'dead-lettered by route: unknown_route after 1 attempt' },
        ],
      );
    });

    test('retried, replayed and parked: first failure, the latest failure after the replays, then parked, oldest first', () => {
      assert.deepEqual(
        letterHistory(
          letterWith({
            publishedAt: '2026-01-01T00:00:00.000Z',
            firstFailedAt: '2026-01-01T00:00:02.000Z',
            lastFailedAt: '2026-01-03T00:00:00.000Z',
            stage: 'validate',
            reason: 'avro_decode_failed',
            attempts: 5,
            replayCount: 3,
            parked: true,
          }),
        ),
        [
          { at: '2026-01-01T00:00:00.000Z', what: 'published on a.b.v1 (INGEST sequence 1)' },
          { at: '2026-01-01T00:00:02.000Z', what: 'first failed' },
          { at: '2026-01-03T00:00:00.000Z', what: 'replayed 3 times, still failing at validate: avro_decode_failed after 5 attempts' },
          { at: '2026-01-03T00:00:00.000Z', what: 'parked: dlq-replay will not replay it again' },
        ],
      );
    });
  });

  describe('letterTraceId', () => {
    test("the letter's own traceparent first, else the original's (any header case); malformed and all-zero ids count as none", () => {
      const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
      assert.equal(letterTraceId(letterWith({ traceparent: traceparent(TRACE_ID) }), { traceparent: [traceparent(other)] }), TRACE_ID);
      assert.equal(letterTraceId(letterWith(), { Traceparent: [traceparent(other)] }), other);
      assert.equal(letterTraceId(letterWith({ traceparent: 'not-a-traceparent' }), { traceparent: [traceparent(other)] }), other);
      assert.equal(letterTraceId(letterWith({ traceparent: traceparent('0'.repeat(32)) }), {}), null);
      assert.equal(letterTraceId(letterWith(), { traceparent: ['00-xyz-b7ad6b7169203331-01'] }), null);
      assert.equal(letterTraceId(letterWith(), { 'Trace-Id': ['x'] }), null);
    });
  });

  describe('listLetters', () => {
    test('counts every selected letter by reason, lists the first `limit` oldest first, says when it cut', async () => {
      const store = memoryStore([
        storedLetter(1),
        storedLetter(2, { reason: 'avro_decode_failed' }),
        storedLetter(3, { subject: 'x.y.v1' }),
        storedLetter(4, { reason: 'avro_decode_failed' }),
        storedLetter(5),
      ]);
      const all = await listLetters(store, {}, 2);
      assert.deepEqual(
        all.letters.map((stored) => stored.seq),
        [1, 2],
      );
      assert.deepEqual(all.byReason, { unknown_route: 3, avro_decode_failed: 2 });
      assert.equal(all.total, 5);
      assert.equal(all.truncated, true);

      const routed = await listLetters(store, { subject: 'a.b.v1' }, 10);
      assert.deepEqual(
        routed.letters.map((stored) => stored.seq),
        [1, 2, 4, 5],
      );
      assert.deepEqual(routed.byReason, { unknown_route: 2, avro_decode_failed: 2 });
      assert.equal(routed.truncated, false);

      assert.deepEqual(await listLetters(store, {}, 0), { letters: [], total: 5, byReason: { unknown_route: 3, avro_decode_failed: 2 }, truncated: true });
    });
  });

  describe('purgeLetters', () => {
    test('without expected only counts; with a stale count deletes nothing and throws; with the right count deletes exactly those', async () => {
      const stored = { bucket: 'B', object: 'INGEST:3', payloadBytes: 10 };
      const store = memoryStore([storedLetter(1), storedLetter(2, { reason: 'avro_decode_failed' }), storedLetter(3, { payload: undefined, stored })]);
      assert.deepEqual(await purgeLetters(store, { reason: 'unknown_route' }, {}), { matched: 2, deleted: 0, withStoredOriginals: 1 });
      assert.equal(store.letters.length, 3);

      await assert.rejects(purgeLetters(store, { reason: 'unknown_route' }, { expected: 3 }), (error: unknown) => {
        assert.ok(error instanceof PurgeCountChangedError);
        assert.equal(error.matched, 2);
        assert.equal(error.expected, 3);
        assert.equal(error.retryable, false);
        assert.match(error.message, /^2 dead letter\(s\) match now, not the 3 expected; nothing was deleted/);
        return true;
      });
      assert.equal(store.letters.length, 3, 'a stale count deletes nothing');

      assert.deepEqual(await purgeLetters(store, { reason: 'unknown_route' }, { expected: 2 }), { matched: 2, deleted: 2, withStoredOriginals: 1 });
      assert.deepEqual(
        store.letters.map((entry) => entry.seq),
        [2],
      );
      assert.deepEqual(await purgeLetters(store, { reason: 'unknown_route' }, { expected: 0 }), { matched: 0, deleted: 0, withStoredOriginals: 0 });
    });
  });

  describe('showLetter', () => {
    test('the summary, the original, its decoding, sinks without retryable, history and trace id; undefined for an unknown id', async () => {
      const letter = storedLetter(1, {
        headers: { traceparent: [traceparent(TRACE_ID)] },
        payload: 'AAEC',
        sinks: [
          { sink: 'postgres:t', delivered: true },
          { sink: 'http:h', delivered: false, reason: 'sink_unavailable', message: 'down', retryable: true },
        ],
      });
      const decodedWith: string[] = [];
      const decode = async (l: DeadLetter, original: { payload: string }): Promise<DecodedPayload> => {
        decodedWith.push(`${l.id} ${original.payload}`);
        return { ok: true, event: { id: 'e1' } };
      };
      const store = memoryStore([letter]);
      const shown = await showLetter(store, decode, 'INGEST:1');
      assert.deepEqual(shown, {
        ...summarizeLetter(letter),
        stream: 'INGEST',
        streamSequence: 1,
        publishedAt: '2026-01-01T00:00:00.000Z',
        headers: { traceparent: [traceparent(TRACE_ID)] },
        payload: 'AAEC',
        decoded: { ok: true, event: { id: 'e1' } },
        sinks: [
          { sink: 'postgres:t', delivered: true },
          { sink: 'http:h', delivered: false, reason: 'sink_unavailable', message: 'down' },
        ],
        history: letterHistory(letter.letter),
        traceId: TRACE_ID,
      });
      assert.deepEqual(decodedWith, ['INGEST:1 AAEC']);
      assert.equal(await showLetter(store, decode, 'INGEST:2'), undefined);
    });

    test('a letter whose original left the object store is shown without payload, saying why it does not decode', async () => {
      const store = memoryStore([storedLetter(1, { payload: undefined, stored: { bucket: 'B', object: 'INGEST:1', payloadBytes: 9 } })]);
      const shown = await showLetter(store, async () => assert.fail('nothing to decode'), 'INGEST:1');
      assert.equal(shown?.payload, '');
      assert.deepEqual(shown?.sinks, []);
      assert.equal(shown?.traceId, null);
      assert.equal(shown?.decoded.ok, false);
      assert.ok(shown !== undefined && !shown.decoded.ok);
      assert.equal(shown.decoded.reason, ORIGINAL_MISSING);
      assert.match(shown.decoded.message, /no longer in object store bucket B/);
    });
  });
});
