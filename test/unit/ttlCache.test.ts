import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TtlCache } from '../../shared/routes/index.ts';

describe('TtlCache', () => {
  test('serves a hit until the ttl passes, then reloads', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string>({ ttlMs: 100, negativeTtlMs: 10, now: () => now });
    const load = async (): Promise<string> => `v${++loads}`;
    assert.equal(await cache.get('k', load), 'v1');
    now = 99;
    assert.equal(await cache.get('k', load), 'v1');
    now = 100;
    assert.equal(await cache.get('k', load), 'v2');
  });

  test('remembers a missing key for the negative ttl only', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string>({ ttlMs: 1000, negativeTtlMs: 10, now: () => now });
    const load = async (): Promise<string | undefined> => {
      loads++;
      return undefined;
    };
    for (let i = 0; i < 100; i++) await cache.get('missing', load);
    assert.equal(loads, 1, 'a flood of unknown keys costs one load');
    now = 10;
    await cache.get('missing', load);
    assert.equal(loads, 2);
  });

  test('concurrent misses share one load, and a failed load is not cached', async () => {
    let loads = 0;
    const cache = new TtlCache<number>({ ttlMs: 1000, negativeTtlMs: 1000 });
    const slow = async (): Promise<number> => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 7;
    };
    assert.deepEqual(await Promise.all([cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)]), [7, 7, 7]);
    assert.equal(loads, 1);
    // The load's own error reaches the caller, and a failed load is not cached.
    const down = new Error('db down');
    await assert.rejects(
      cache.get('boom', async () => Promise.reject(down)),
      (error) => error === down,
    );
    assert.equal(await cache.get('boom', async () => 1), 1);
  });
});
