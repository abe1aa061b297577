import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import middy from '@middy/core';
import { faultInjection, InjectedFaultError } from '../../shared/middleware/index.ts';

const context = { getRemainingTimeInMillis: () => 1000 } as never;

describe('faultInjection', () => {
  test('fails the share of invocations the rate asks for, before the handler runs', async () => {
    let calls = 0;
    const draws = [0.1, 0.9, 0.19, 0.2];
    const handler = middy<unknown, string>({ timeoutEarlyInMillis: 0 })
      .use(faultInjection('fn', 0.2, () => draws.shift()!))
      .handler(async () => {
        calls++;
        return 'ok';
      });
    const results = await Promise.allSettled([handler({}, context), handler({}, context), handler({}, context), handler({}, context)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.ok(results[0]?.status === 'rejected' && results[0].reason instanceof InjectedFaultError);
    assert.equal(calls, 2);
  });

  test('rate 0 never fails; a rate outside [0, 1] is refused at construction', async () => {
    const handler = middy<unknown, string>({ timeoutEarlyInMillis: 0 })
      .use(faultInjection('fn', 0, () => 0))
      .handler(async () => 'ok');
    assert.equal(await handler({}, context), 'ok');
    assert.throws(() => faultInjection('fn', 1.5), /within \[0, 1\]/);
  });
});
