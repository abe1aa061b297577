import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { Batcher, type BatcherOptions } from '../../bridge/batcher.ts';

/** A batcher whose emitted batches are collected in order. */
function collecting<T>(options: BatcherOptions): { batcher: Batcher<T>; batches: T[][] } {
  const batches: T[][] = [];
  return { batcher: new Batcher<T>(options, (batch) => batches.push(batch)), batches };
}

describe('Batcher bounds, exactly at the limits', () => {
  test('items that exactly fill the byte bound leave together, at once', () => {
    const { batcher, batches } = collecting<string>({ maxRecords: 100, maxBytes: 10, maxWaitMs: 10_000 });
    batcher.add('a', 4);
    batcher.add('b', 6);
    assert.deepEqual(batches, [['a', 'b']], 'a batch of exactly maxBytes is full');
    assert.equal(batcher.size, 0);
  });

  test('the byte count starts again after each batch', () => {
    const { batcher, batches } = collecting<string>({ maxRecords: 2, maxBytes: 10, maxWaitMs: 10_000 });
    for (const item of ['a', 'b', 'c', 'd']) batcher.add(item, 4);
    assert.deepEqual(batches, [
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  test('flushing an empty batcher emits nothing', () => {
    const { batcher, batches } = collecting<string>({ maxRecords: 2, maxBytes: 10, maxWaitMs: 10_000 });
    batcher.flush();
    batcher.add('a', 1);
    batcher.add('b', 1);
    batcher.flush();
    assert.deepEqual(batches, [['a', 'b']]);
  });

  test('the smallest bounds are accepted: one record, one byte, no wait', () => {
    const { batcher, batches } = collecting<string>({ maxRecords: 1, maxBytes: 1, maxWaitMs: 0 });
    batcher.add('a', 1);
    assert.deepEqual(batches, [['a']]);
  });

  test('each bound out of range is refused on its own, with a message naming the bounds', () => {
    const refused = /maxRecords and maxBytes must be positive, maxWaitMs not negative/;
    assert.throws(() => new Batcher({ maxRecords: 0, maxBytes: 10, maxWaitMs: 10 }, () => {}), refused);
    assert.throws(() => new Batcher({ maxRecords: 10, maxBytes: 0, maxWaitMs: 10 }, () => {}), refused);
    assert.throws(() => new Batcher({ maxRecords: 10, maxBytes: 10, maxWaitMs: -1 }, () => {}), refused);
  });
});

describe('Batcher time window after an early flush', () => {
  test('a batch that left by count or by flush() takes its timer with it: the next batch gets a full window', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { batcher, batches } = collecting<number>({ maxRecords: 2, maxBytes: 1000, maxWaitMs: 50 });
      batcher.add(1, 1); // window 0..50
      batcher.add(2, 1); // full: leaves now
      mock.timers.tick(30);
      batcher.add(3, 1); // window 30..80
      mock.timers.tick(20); // t = 50: the first window's timer must not flush 3
      assert.deepEqual(batches, [[1, 2]]);
      mock.timers.tick(30); // t = 80
      assert.deepEqual(batches, [[1, 2], [3]]);

      batcher.add(4, 1); // window 80..130
      mock.timers.tick(10);
      batcher.flush(); // t = 90
      batcher.add(5, 1); // window 90..140
      mock.timers.tick(40); // t = 130
      assert.deepEqual(batches, [[1, 2], [3], [4]]);
      mock.timers.tick(10); // t = 140
      assert.deepEqual(batches, [[1, 2], [3], [4], [5]]);
    } finally {
      mock.timers.reset();
    }
  });

  test('later items do not restart the window of the first', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { batcher, batches } = collecting<number>({ maxRecords: 100, maxBytes: 1000, maxWaitMs: 50 });
      batcher.add(1, 1);
      mock.timers.tick(40);
      batcher.add(2, 1);
      batcher.flush(); // t = 40, leaves [1, 2]
      batcher.add(3, 1); // window 40..90
      mock.timers.tick(10); // t = 50: a stray timer from item 2 would not be due yet, one from item 1 would
      assert.deepEqual(batches, [[1, 2]]);
      mock.timers.tick(40);
      assert.deepEqual(batches, [[1, 2], [3]]);
    } finally {
      mock.timers.reset();
    }
  });
});
