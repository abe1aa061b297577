import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSinkWrite } from '../../shared/stages/sinkWrite/sinkWrite.ts';
import { writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { DecoderCache } from '../../shared/stages/validate/decoders.ts';
import { createRouteLookupOver } from '../../shared/routes/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../../shared/sinks/index.ts';
import type { Sink } from '../../shared/sinks/index.ts';
import { memoryLedger } from '../helpers/memoryLedger.ts';

function record(id: string, trackDelivery: boolean): SinkWriteRecord {
  return {
    id,
    subject: 'a.b.v1',
    event: { eventId: `e${id}`, routeKey: { type: 'a.b', version: 'v1' }, time: '2026-01-01T00:00:00.000Z', source: null, body: { id: `e${id}` } },
    ...(trackDelivery ? { trackDelivery: true } : {}),
  };
}

/** A stand-in PostgreSQL sink that records which records it was handed; event ids in `reject` fail for good. */
function recordingSink(written: string[], reject: ReadonlySet<string> = new Set()): Map<string, Sink> {
  const sink = {
    kind: 'postgres',
    async write(_target: unknown, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
      written.push(...records.map((r) => r.id));
      return records.map((r) =>
        reject.has(r.event.eventId)
          ? { id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'sink_rejected', message: 'no', retryable: false } }
          : { id: r.id, ok: true, duplicate: false },
      );
    },
  } as unknown as Sink;
  return new Map([['postgres', sink]]);
}

const target = { kind: 'postgres', table: 't' } as const;

/** Sink-write's registry side, for requests that decode nothing: an empty registry. */
const noRegistry = {
  routes: createRouteLookupOver({ route: async () => undefined, writer: async () => undefined }, { ttlMs: 0, negativeTtlMs: 0 }),
  decoders: new DecoderCache(),
};

describe('sink-write delivery state for fan-out records', () => {
  test('remembers fan-out records it wrote and skips them on the next delivery; plain records are not tracked', async () => {
    const ledger = memoryLedger();
    const written: string[] = [];
    const deps = { sinks: recordingSink(written, new Set(['e3'])), ledger };
    const records = [record('1', true), record('2', false), record('3', true)];

    const first = await writeEvents(target, records, deps);
    assert.deepEqual(written, ['1', '2', '3']);
    assert.deepEqual([...ledger.rows].sort(), ['postgres:t|e1'], 'only the fan-out record that was written is remembered');
    assert.equal(first.results.find((r) => r.id === '3')?.ok, false);

    written.length = 0;
    const second = await writeEvents(target, records, deps);
    assert.deepEqual(written, ['2', '3'], 'the delivered fan-out record is not written again');
    assert.deepEqual(
      second.results.find((r) => r.id === '1'),
      { id: '1', ok: true, duplicate: true },
    );
  });

  test('without the delivery state, fan-out records are retried and plain records still written', async () => {
    const written: string[] = [];
    const response = await writeEvents(target, [record('1', true), record('2', false)], {
      sinks: recordingSink(written),
      ledger: memoryLedger({ down: 'read' }),
    });
    assert.deepEqual(written, ['2']);
    const failedOne = response.results.find((r) => r.id === '1');
    assert.equal(failedOne?.ok, false);
    assert.equal(failedOne?.ok === false && failedOne.failure.reason, 'delivery_state_unavailable');
    assert.equal(failedOne?.ok === false && failedOne.failure.retryable, true);
    assert.deepEqual(
      response.results.find((r) => r.id === '2'),
      { id: '2', ok: true, duplicate: false },
    );
  });

  test('an event that reached the sink stays delivered when its state cannot be saved', async () => {
    const response = await writeEvents(target, [record('1', true)], { sinks: recordingSink([]), ledger: memoryLedger({ down: 'write' }) });
    assert.deepEqual(response.results, [{ id: '1', ok: true, duplicate: false }]);
  });

  test('a request that only records deliveries writes nothing and makes the next tracked delivery skip the target', async () => {
    const ledger = memoryLedger();
    const written: string[] = [];
    const deps = { ...noRegistry, sinks: recordingSink(written), ledger };
    const recorded = await runSinkWrite({ target, records: [{ id: '1', subject: 'a.b.v1', eventId: 'e1' }], recordDeliveryOnly: true }, deps);
    assert.deepEqual(recorded.results, [{ id: '1', ok: true, duplicate: true }]);
    assert.deepEqual(written, []);
    assert.deepEqual([...ledger.rows], ['postgres:t|e1']);
    const again = await writeEvents(target, [record('1', true)], deps);
    assert.deepEqual(again.results, [{ id: '1', ok: true, duplicate: true }]);
    assert.deepEqual(written, [], 'the target is not called for an event it has');
    const down = await runSinkWrite(
      { target, records: [{ id: '2', subject: 'a.b.v1', eventId: 'e2' }], recordDeliveryOnly: true },
      { ...noRegistry, sinks: recordingSink(written), ledger: memoryLedger({ down: 'write' }) },
    );
    assert.equal(down.results[0]?.ok === false && down.results[0].failure.reason, 'delivery_state_unavailable');
  });

  test('a request without a valid target fails every record, permanently', async () => {
    const response = await writeEvents({ kind: 's3' } as never, [record('1', true)], { sinks: recordingSink([]), ledger: memoryLedger() });
    assert.equal(response.results[0]?.ok === false && response.results[0].failure.reason, 'unknown_sink');
    assert.equal(response.results[0]?.ok === false && response.results[0].failure.retryable, false);
  });
});
