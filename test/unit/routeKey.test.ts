import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IngestError } from '../../shared/failures/index.ts';
import { isSqlIdentifier, isTableName } from '../../shared/postgres/identifiers.ts';
import { formatRouteKey, isVersion, routeKeyFromSubject } from '../../shared/names/routeKey.ts';

describe('routeKeyFromSubject', () => {
  test('splits the version token off the type', () => {
    assert.deepEqual(routeKeyFromSubject('metrics.cpu.usage.v1', 'route'), { type: 'metrics.cpu.usage', version: 'v1' });
    assert.deepEqual(routeKeyFromSubject('orders.created.v12', 'route'), { type: 'orders.created', version: 'v12' });
    assert.deepEqual(routeKeyFromSubject('a.v2', 'route'), { type: 'a', version: 'v2' });
  });

  for (const subject of [
    'metrics.cpu.usage',
    'v1',
    '',
    'metrics..usage.v1',
    'metrics.cpu.usage.V1',
    'metrics.*.v1',
    'metrics.>',
    'a b.v1',
    'metrics.cpu.usage.v1.extra',
  ]) {
    test(`rejects "${subject}" as a permanent invalid_subject failure`, () => {
      assert.throws(
        () => routeKeyFromSubject(subject, 'validate'),
        (error: unknown) => error instanceof IngestError && error.reason === 'invalid_subject' && error.stage === 'validate' && error.retryable === false,
      );
    });
  }
});

describe('route key edges', () => {
  test('a version is v and one to nine digits, nothing else', () => {
    for (const token of ['v0', 'v1', 'v123456789']) assert.equal(isVersion(token), true, token);
    for (const token of ['v', 'v1234567890', 'V1', 'xv1', 'v1x', 'v1.2', '1', 'va']) assert.equal(isVersion(token), false, token);
  });

  test('the refusal names the subject and the expected shape', () => {
    assert.throws(() => routeKeyFromSubject('metrics.cpu', 'route'), {
      message: 'subject "metrics.cpu" is not <type>.<version> (for example metrics.cpu.usage.v1)',
    });
  });

  test('a route key formats back to the subject it came from', () => {
    assert.equal(formatRouteKey(routeKeyFromSubject('metrics.cpu.usage.v3', 'route')), 'metrics.cpu.usage.v3');
    assert.equal(formatRouteKey({ type: 'a', version: 'v1' }), 'a.v1');
  });

  test('an absent route key formats to null, not a crash (a dead letter of an unroutable subject has none)', () => {
    assert.equal(formatRouteKey(null), null);
  });
});

describe('SQL identifiers from the registry', () => {
  test('lower case, digits and underscores, not starting with a digit, at most 63 characters', () => {
    for (const name of ['a', '_a', 'metric_events', 'a1', 'a'.repeat(63)]) assert.equal(isSqlIdentifier(name), true, name);
    for (const name of ['', '1a', 'A', 'metricEvents', 'a-b', 'a b', 'a'.repeat(64), 'a"', 'a.b', 'a;']) assert.equal(isSqlIdentifier(name), false, name);
  });

  test('a table name is a table or schema.table, each part an identifier', () => {
    for (const name of ['events', 'public.events', `${'s'.repeat(63)}.${'t'.repeat(63)}`]) assert.equal(isTableName(name), true, name);
    for (const name of ['a.b.c', '.events', 'public.', 'Public.events', 'public.Events', '']) assert.equal(isTableName(name), false, name);
  });
});
