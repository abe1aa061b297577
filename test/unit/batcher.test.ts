import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { Batcher } from '../../bridge/batcher.ts';

describe('Batcher', () => {
  test('emits when the record count is reached', () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxRecords: 3, maxBytes: 1000, maxWaitMs: 10_000 }, (b) => batches.push(b));
    for (let i = 0; i < 7; i++) batcher.add(i, 1);
    assert.deepEqual(batches, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    batcher.flush();
    assert.deepEqual(batches.at(-1), [6]);
  });

  test('starts a new batch rather than exceed the byte bound', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxRecords: 100, maxBytes: 10, maxWaitMs: 10_000 }, (b) => batches.push(b));
    batcher.add('a', 4);
    batcher.add('b', 4);
    batcher.add('c', 4); // 12 > 10: a and b leave first
    batcher.flush();
    assert.deepEqual(batches, [['a', 'b'], ['c']]);
  });

  test('an item larger than the byte bound travels alone', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxRecords: 100, maxBytes: 10, maxWaitMs: 10_000 }, (b) => batches.push(b));
    batcher.add('small', 2);
    batcher.add('huge', 50);
    batcher.add('next', 2);
    batcher.flush();
    assert.deepEqual(batches, [['small'], ['huge'], ['next']]);
  });

  test('emits after the time window even when the batch is not full', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const batches: number[][] = [];
      const batcher = new Batcher<number>({ maxRecords: 100, maxBytes: 1000, maxWaitMs: 50 }, (b) => batches.push(b));
      batcher.add(1, 1);
      mock.timers.tick(49);
      assert.equal(batches.length, 0);
      batcher.add(2, 1);
      mock.timers.tick(1);
      assert.deepEqual(batches, [[1, 2]], 'the window counts from the first record');
      assert.equal(batcher.size, 0);
    } finally {
      mock.timers.reset();
    }
  });

  test('rejects nonsensical bounds at construction, naming the bounds; zero wait is allowed', () => {
    const refusal = { name: 'Error', message: 'Batcher: maxRecords and maxBytes must be positive, maxWaitMs not negative' };
    assert.throws(() => new Batcher({ maxRecords: 0, maxBytes: 1, maxWaitMs: 0 }, () => {}), refusal);
    assert.throws(() => new Batcher({ maxRecords: 1, maxBytes: 0, maxWaitMs: 0 }, () => {}), refusal);
    assert.throws(() => new Batcher({ maxRecords: 1, maxBytes: 1, maxWaitMs: -1 }, () => {}), refusal);
    // The smallest sensible bounds build a batcher that emits each record at once.
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxRecords: 1, maxBytes: 1, maxWaitMs: 0 }, (b) => batches.push(b));
    batcher.add('a', 1);
    assert.deepEqual(batches, [['a']]);
  });
});
