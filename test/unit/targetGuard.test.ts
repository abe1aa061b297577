import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { TargetGuard } from '../../shared/stages/sinkWrite/targetGuard.ts';
import { circuitOf, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../../shared/sinks/index.ts';
import type { Sink } from '../../shared/sinks/index.ts';
import { memoryLedger } from '../helpers/memoryLedger.ts';

function record(id: string): SinkWriteRecord {
  return {
    id,
    subject: 'a.b.v1',
    event: { eventId: `e${id}`, routeKey: { type: 'a.b', version: 'v1' }, time: '2026-01-01T00:00:00.000Z', source: null, body: { id: `e${id}` } },
  };
}

/** A stand-in PostgreSQL sink: table "slow" never answers, table "down" always fails, others work. */
function sinks(calls: string[]): Map<string, Sink> {
  const sink = {
    kind: 'postgres',
    async write(target: { table: string }, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
      calls.push(target.table);
      if (target.table === 'slow') return new Promise<SinkWriteResult[]>(() => {});
      if (target.table === 'down') {
        return records.map((r) => ({ id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'sink_unavailable', message: 'down', retryable: true } }));
      }
      return records.map((r) => ({ id: r.id, ok: true, duplicate: false }));
    },
  } as unknown as Sink;
  return new Map([['postgres', sink]]);
}

/**
 * What the bridge does with one batch: each table (target) gets its own sink-write call, all at
 * once, through the same function instance and so the same guard; the results are combined.
 */
async function writeTargets(groups: Readonly<Record<string, string[]>>, deps: { sinks: Map<string, Sink>; guard: TargetGuard }): Promise<SinkWriteResponse> {
  const ledger = memoryLedger();
  const responses = await Promise.all(
    Object.entries(groups).map(([table, ids]) => writeEvents({ kind: 'postgres', table }, ids.map(record), { ...deps, ledger })),
  );
  return { results: responses.flatMap((response) => response.results) };
}

/** Lets every promise that can move on do so (the mock clock leaves setImmediate real). */
function everythingRunnable(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('sink target isolation', () => {
  test('a target that does not answer fails only its own records, at the deadline and not before', async (t) => {
    // The deadline's timer runs on a mock clock, so "when" is exact and does not depend on load.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const guard = new TargetGuard({ deadlineMs: 50, failureThreshold: 5, openMs: 1000 });
    let settled = false;
    const pending = writeTargets({ slow: ['1'], fast: ['2'] }, { sinks: sinks([]), guard }).finally(() => {
      settled = true;
    });
    await everythingRunnable();
    t.mock.timers.tick(49);
    await everythingRunnable();
    assert.equal(settled, false, 'gave up on the slow target before its deadline');
    t.mock.timers.tick(1);
    await everythingRunnable();
    assert.equal(settled, true, 'the request still waits for the slow target after its deadline');
    const byId = new Map((await pending).results.map((r) => [r.id, r]));
    assert.deepEqual(byId.get('2'), { id: '2', ok: true, duplicate: false });
    const slow = byId.get('1');
    assert.ok(slow && !slow.ok, JSON.stringify(slow));
    assert.equal(slow.failure.reason, 'sink_unavailable');
    assert.equal(slow.failure.retryable, true);
    assert.equal(slow.failure.message, 'postgres:slow did not answer within 50 ms');
  });

  test('repeated failures open the circuit for that target only; it half-opens after openMs', async () => {
    let now = 0;
    const calls: string[] = [];
    const guard = new TargetGuard({ deadlineMs: 1000, failureThreshold: 3, openMs: 10_000 }, () => now);
    const write = (ids: string[]) => writeTargets({ down: ids, fine: [`ok${ids[0]}`] }, { sinks: sinks(calls), guard });
    for (let i = 0; i < 3; i++) await write([`${i}`]);
    assert.equal(calls.filter((t) => t === 'down').length, 3);

    const open = await write(['x']);
    assert.equal(calls.filter((t) => t === 'down').length, 3, 'an open circuit sends nothing to the target');
    const refused = open.results.find((r) => r.id === 'x');
    assert.ok(refused && !refused.ok && refused.failure.retryable && refused.failure.retryAfterMs === 10_000 && /circuit open/.test(refused.failure.message));
    assert.equal(open.results.find((r) => r.id === 'okx')?.ok, true, 'other targets keep flowing');

    now = 10_000;
    await write(['y']);
    assert.equal(calls.filter((t) => t === 'down').length, 4, 'one write tries again after openMs');
    await write(['z']);
    assert.equal(calls.filter((t) => t === 'down').length, 4, 'and one more failure opens it again');
  });
});

describe("sink-write's answer names the target's circuit", () => {
  test('closed while writes go through, open once the failures opened it; a write without a guard says nothing', async () => {
    let now = 0;
    const guard = new TargetGuard({ deadlineMs: 1000, failureThreshold: 2, openMs: 5000 }, () => now);
    const ledger = memoryLedger();
    const deps = { sinks: sinks([]), guard, ledger };
    assert.equal((await writeEvents({ kind: 'postgres', table: 'fine' }, [record('1')], deps)).circuit, 'closed');
    assert.equal((await writeEvents({ kind: 'postgres', table: 'down' }, [record('2')], deps)).circuit, 'closed', 'one failure is not enough');
    assert.equal((await writeEvents({ kind: 'postgres', table: 'down' }, [record('3')], deps)).circuit, 'open');
    assert.equal((await writeEvents({ kind: 'postgres', table: 'down' }, [record('4')], deps)).circuit, 'open', 'refused while open');
    assert.equal((await writeEvents({ kind: 'postgres', table: 'fine' }, [record('5')], deps)).circuit, 'closed', 'per target');
    now = 5000;
    assert.equal(guard.state('postgres:down'), 'closed', 'half-open after openMs');
    const unguarded = await writeEvents({ kind: 'postgres', table: 'fine' }, [record('6')], { sinks: sinks([]), ledger });
    assert.equal('circuit' in unguarded, false);
  });

  test('the bridge reads only a valid circuit state from an answer', () => {
    assert.equal(circuitOf({ results: [], circuit: 'open' }), 'open');
    assert.equal(circuitOf({ results: [], circuit: 'closed' }), 'closed');
    assert.equal(circuitOf({ results: [], circuit: 'half' }), undefined);
    assert.equal(circuitOf({ results: [] }), undefined);
    assert.equal(circuitOf(null), undefined);
  });
});
