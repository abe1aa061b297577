import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import middy from '@middy/core';
import { faultInjection, InjectedFaultError } from '../../shared/middleware/index.ts';

const context = { getRemainingTimeInMillis: () => 1000 } as never;

describe('faultInjection', () => {
  test('fails the share of invocations the rate asks for, evenly spaced, before the handler runs', async () => {
    let calls = 0;
    const handler = middy<unknown, string>({ timeoutEarlyInMillis: 0 })
      .use(faultInjection('fn', 0.2))
      .handler(async () => {
        calls++;
        return 'ok';
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => handler({}, context)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i + 1] : []));
    assert.deepEqual(failed, [5, 10]);
    assert.ok(results[4]?.status === 'rejected' && results[4].reason instanceof InjectedFaultError);
    assert.equal(calls, 8);
  });

  test('rate 0 never fails; a rate outside [0, 1] is refused at construction', async () => {
    const handler = middy<unknown, string>({ timeoutEarlyInMillis: 0 })
      .use(faultInjection('fn', 0))
      .handler(async () => 'ok');
    assert.equal(await handler({}, context), 'ok');
    assert.throws(() => faultInjection('fn', 1.5), /within \[0, 1\]/);
  });
});
