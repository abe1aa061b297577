import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IngestError } from '../../shared/failures/index.ts';
import { routeKeyFromSubject } from '../../shared/registry/index.ts';

describe('routeKeyFromSubject', () => {
  test('splits the version token off the type', () => {
    assert.deepEqual(routeKeyFromSubject('metrics.cpu.usage.v1', 'route'), { type: 'metrics.cpu.usage', version: 'v1' });
    assert.deepEqual(routeKeyFromSubject('orders.created.v12', 'route'), { type: 'orders.created', version: 'v12' });
    assert.deepEqual(routeKeyFromSubject('a.v2', 'route'), { type: 'a', version: 'v2' });
  });

  for (const subject of ['metrics.cpu.usage', 'v1', '', 'metrics..usage.v1', 'metrics.cpu.usage.V1', 'metrics.*.v1', 'metrics.>', 'a b.v1', 'metrics.cpu.usage.v1.extra']) {
    test(`rejects "${subject}" as a permanent invalid_subject failure`, () => {
      assert.throws(
        () => routeKeyFromSubject(subject, 'validate'),
        (error: unknown) =>
          error instanceof IngestError && error.reason === 'invalid_subject' && error.stage === 'validate' && !error.retryable,
      );
    });
  }
});
