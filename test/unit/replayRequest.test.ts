import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequestError } from '../../shared/middleware/index.ts';
import { toReplayRequest } from '../../shared/stages/index.ts';

test('a scheduled (EventBridge) or empty invoke replays everything due, whatever filter it carries', () => {
  assert.deepEqual(toReplayRequest({ source: 'aws.events', 'detail-type': 'Scheduled Event', reason: 'unknown_route' }, 'INGEST'), {});
  assert.deepEqual(toReplayRequest(null, 'INGEST'), {});
  assert.deepEqual(toReplayRequest(undefined, 'INGEST'), {});
});

test('an on-demand invoke keeps its filter, and its ids are letter ids (a bare sequence is one of the ingest stream)', () => {
  const request = toReplayRequest({ dryRun: true, limit: 5, reason: 'unknown_route', ids: ['DEADLETTER:7', 12, ' 13 '] } as never, 'INGEST');
  assert.deepEqual(request, {
    dryRun: true,
    limit: 5,
    reason: 'unknown_route',
    routeKey: undefined,
    subject: undefined,
    since: undefined,
    until: undefined,
    ids: ['DEADLETTER:7', 'INGEST:12', 'INGEST:13'],
  });
});

test('ids that are not dead-letter ids are a bad request naming the first bad one, not a replay of something else', () => {
  const cases: [unknown, RegExp][] = [
    ['INGEST:7', /ids must be an array of dead-letter ids/],
    [['INGEST:7', 'nonsense'], /ids\[1\] is not a dead-letter id \(<stream>:<sequence>\): "nonsense"/],
    [[0], /ids\[0\] is not a dead-letter id/],
    [[{ id: 3 }], /ids\[0\] is not a dead-letter id \(<stream>:<sequence>\): \{"id":3\}/],
  ];
  for (const [ids, message] of cases) {
    assert.throws(
      () => toReplayRequest({ ids } as never, 'INGEST'),
      (error: unknown) => error instanceof BadRequestError && error.retryable === false && message.test(error.message),
      JSON.stringify(ids),
    );
  }
});
