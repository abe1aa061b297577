import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsMsg } from '@nats-io/jetstream';
import { BatchFlow } from '../../bridge/flow.ts';
import type { Logger } from '../../shared/logging/index.ts';

/** A message that only records its naks: the flow touches nothing else of a message. */
type FakeMessage = { readonly seq: number; readonly naks: (number | undefined)[] };

function batchOf(...seqs: number[]): { batch: JsMsg[]; messages: FakeMessage[] } {
  const messages = seqs.map((seq) => ({ seq, naks: [] as (number | undefined)[] }));
  const batch = messages.map((message) => ({ seq: message.seq, nak: (delay?: number) => void message.naks.push(delay) }) as unknown as JsMsg);
  return { batch, messages };
}

function recordingLogger(lines: string[]): Logger {
  const record = (message: string): void => void lines.push(message);
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

/** Runs that end only when the test says so, named by their batch's first sequence. */
function controlledRuns(): { run: (batch: JsMsg[]) => Promise<void>; started: number[]; end: (seq: number, error?: Error) => void } {
  const started: number[] = [];
  const enders = new Map<number, (error?: Error) => void>();
  return {
    started,
    run: (batch) =>
      new Promise<void>((resolve, reject) => {
        const seq = batch[0]!.seq;
        started.push(seq);
        enders.set(seq, (error) => (error === undefined ? resolve() : reject(error)));
      }),
    end: (seq, error) => enders.get(seq)!(error),
  };
}

/** Lets the settled run's then/catch/finally chain finish. */
const settledTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the bridge runs at most BRIDGE_MAX_IN_FLIGHT batches at once (BatchFlow)', () => {
  test('at most maxInFlight runs at once, in arrival order; the next starts as soon as one ends', async () => {
    const runs = controlledRuns();
    const released: number[] = [];
    const flow = new BatchFlow({ maxInFlight: 2, run: runs.run, returnDelayMs: 500, released: (n) => void released.push(n), logger: recordingLogger([]) });
    for (const seq of [1, 2, 3, 4, 5]) flow.push(batchOf(seq, seq + 100).batch);
    assert.deepEqual(runs.started, [1, 2], 'two run, three wait');

    runs.end(2);
    await settledTurn();
    assert.deepEqual(runs.started, [1, 2, 3], 'an ended run frees its place for the oldest waiting batch');
    assert.deepEqual(released, [2], 'the ended batch released its two messages');

    runs.end(1);
    runs.end(3);
    await settledTurn();
    assert.deepEqual(runs.started, [1, 2, 3, 4, 5]);
    runs.end(4);
    runs.end(5);
    await settledTurn();
    assert.deepEqual(released, [2, 2, 2, 2, 2]);
  });

  test('a run that throws returns its messages with the nak delay and frees its place', async () => {
    const runs = controlledRuns();
    const lines: string[] = [];
    const flow = new BatchFlow({ maxInFlight: 1, run: runs.run, returnDelayMs: 750, released: () => {}, logger: recordingLogger(lines) });
    const failing = batchOf(1, 2);
    flow.push(failing.batch);
    flow.push(batchOf(3).batch);
    runs.end(1, new Error('a bug'));
    await settledTurn();
    assert.deepEqual(
      failing.messages.map((message) => message.naks),
      [[750], [750]],
    );
    assert.deepEqual(lines, ['batch failed unexpectedly; returning messages']);
    assert.deepEqual(runs.started, [1, 3], 'the next batch ran');
  });

  test('drain waits for every batch; at the deadline the queued ones are handed back at once and the running one is left', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const runs = controlledRuns();
    const lines: string[] = [];
    const flow = new BatchFlow({ maxInFlight: 1, run: runs.run, returnDelayMs: 750, released: () => {}, logger: recordingLogger(lines) });
    const running = batchOf(1);
    const queued = batchOf(2, 3);
    flow.push(running.batch);
    flow.push(queued.batch);
    let drained = false;
    const draining = flow.drain(1000).then(() => {
      drained = true;
    });
    t.mock.timers.tick(999);
    await settledTurn();
    assert.equal(drained, false, 'drain returned before its deadline with work left');
    t.mock.timers.tick(1);
    await draining;
    assert.deepEqual(
      queued.messages.map((message) => message.naks),
      [[undefined], [undefined]],
      'queued messages are returned without a delay',
    );
    assert.deepEqual(running.messages[0]!.naks, [], 'the running batch is left to be redelivered');
    assert.deepEqual(lines, ['drain timed out; in-flight batches will be redelivered']);
  });

  test('drain resolves as soon as the last batch ends', async () => {
    const runs = controlledRuns();
    const flow = new BatchFlow({ maxInFlight: 1, run: runs.run, returnDelayMs: 0, released: () => {}, logger: recordingLogger([]) });
    flow.push(batchOf(1).batch);
    flow.push(batchOf(2).batch);
    let drained = false;
    const draining = flow.drain(60_000).then(() => {
      drained = true;
    });
    runs.end(1);
    await settledTurn();
    assert.equal(drained, false, 'a batch is still queued');
    runs.end(2);
    await draining;
    assert.deepEqual(runs.started, [1, 2]);
  });
});
