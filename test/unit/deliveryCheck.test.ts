import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findDelivered } from '../../bridge/deliveryCheck.ts';
import { InvokeError, RequestTooLargeError } from '../../bridge/errors.ts';
import type { StageInvoker } from '../../bridge/invoker.ts';
import { invokeWithinLimit } from '../../bridge/requestLimit.ts';
import type { RoutedRecord } from '../../bridge/sinkStage.ts';
import { TargetLimiter } from '../../bridge/targetLimiter.ts';
import type { SinkCheckRequest } from '../../shared/contracts/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';

const table = { kind: 'postgres', table: 't' } as const;
const hook = { kind: 'http', url: 'https://hooks.example/in', mode: 'batch' } as const;
const pin = { numericId: 1, cacheKey: '1@1' };
const routed = (id: string, sinks: RoutedRecord['sinks']): RoutedRecord => ({
  write: { id, subject: 'a.b.v1', payload: 'AAAA', publishedAtMs: 0, eventId: `e${id}`, reader: pin, writer: pin },
  sinks,
  redelivered: false,
});
const lost: RecordFailure = { stage: 'sink-write', reason: 'retries_exhausted', message: 'gave up', retryable: false };

/** Answers checks from `holds` (target kind -> event ids it holds); records every request. */
function checker(holds: Record<string, readonly string[] | 'unknown' | 'down'>, asked: SinkCheckRequest[] = []): StageInvoker {
  const unused = async (): Promise<never> => assert.fail('only checks are expected');
  return {
    validate: unused,
    route: unused,
    sinkWrite: unused,
    async checkDelivery(request) {
      asked.push(request);
      const held = holds[request.target.kind];
      if (held === 'down') throw new InvokeError('sink-write', 'sink-write', 'connection refused');
      return {
        results: request.records.map((r) => ({
          id: r.id,
          ok: true,
          delivered: held === 'unknown' ? 'unknown' : held?.includes(r.eventId) ? 'yes' : 'no',
        })),
      };
    },
  };
}

const options = (warnings: string[] = []) => ({ limiter: new TargetLimiter(2), warn: (message: string) => void warnings.push(message) });

describe('findDelivered', () => {
  test('an event the one sink holds is delivered; one it does not hold is not', async () => {
    const found = await findDelivered(
      [
        { routed: routed('1', [table]), failure: lost },
        { routed: routed('2', [table]), failure: lost },
      ],
      checker({ postgres: ['e1'] }),
      options(),
    );
    assert.deepEqual([...found], ['1']);
  });

  test('a fan-out record: only the sinks that had not taken it are asked, and every one of them must hold it', async () => {
    const asked: SinkCheckRequest[] = [];
    const fanOut = (id: string) => ({
      routed: routed(id, [table, hook]),
      failure: {
        ...lost,
        sinks: [
          { sink: 'http:https://hooks.example/in', delivered: true as const },
          { sink: 'postgres:t', delivered: false as const, reason: 'sink_unavailable' as const, message: 'down', retryable: true },
        ],
      },
    });
    const found = await findDelivered([fanOut('1'), fanOut('2')], checker({ postgres: ['e2'], http: 'unknown' }, asked), options());
    assert.deepEqual([...found], ['2']);
    assert.deepEqual(
      asked.map((request) => request.target.kind),
      ['postgres'],
      'the HTTP sink had the events already: not asked',
    );
  });

  test('a sink that cannot tell, or cannot be asked, leaves the record to its dead letter, with a warning for the outage', async () => {
    const warnings: string[] = [];
    const unknown = await findDelivered([{ routed: routed('1', [hook]), failure: lost }], checker({ http: 'unknown' }), options(warnings));
    assert.equal(unknown.size, 0);
    const down = await findDelivered([{ routed: routed('1', [table]), failure: lost }], checker({ postgres: 'down' }), options(warnings));
    assert.equal(down.size, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not ask a sink/);
  });
});

describe('invokeWithinLimit', () => {
  const records = ['1', '2', '3', '4', '5'].map((id) => ({ id, size: id === '4' ? 10 : 1 }));
  // A stand-in for an invoker whose requests may hold at most 3 size units.
  const invoke = (calls: string[][]) => async (part: readonly { id: string; size: number }[]) => {
    calls.push(part.map((r) => r.id));
    const size = part.reduce((sum, r) => sum + r.size, 0);
    if (size > 3) throw new RequestTooLargeError('sink-write', 'sink-write', size, 3);
    return { results: part.map((r) => ({ id: r.id, ok: true as const })) };
  };

  test('a request that fits is sent once', async () => {
    const calls: string[][] = [];
    await invokeWithinLimit(records.slice(0, 3), invoke(calls));
    assert.deepEqual(calls, [['1', '2', '3']]);
  });

  test('a request too large is split until each part fits; a record too large alone fails for good, the others go', async () => {
    const calls: string[][] = [];
    const { results } = await invokeWithinLimit(records, invoke(calls));
    assert.deepEqual(
      results.map((r) => r.id),
      ['1', '2', '3', '4', '5'],
      'one result per record, in order',
    );
    const failed = results.filter((r) => 'failure' in r);
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0], {
      id: '4',
      ok: false,
      failure: {
        stage: 'sink-write',
        reason: 'payload_too_large',
        message: 'sink-write: the request is 10 bytes, above the limit of 3 (LAMBDA_MAX_REQUEST_BYTES)',
        retryable: false,
      },
    });
    assert.ok(calls.every((call) => call.length <= 5));
  });

  test("any other error is the caller's to handle", async () => {
    await assert.rejects(
      invokeWithinLimit(records, async () => {
        throw new InvokeError('validate', 'validate', 'down');
      }),
      InvokeError,
    );
  });
});

describe('findDelivered: what is asked, and what counts as held', () => {
  test("the question is a check only, grouped per target, every record of a target in one request, under that target's limit", async () => {
    const asked: SinkCheckRequest[] = [];
    const limited: string[] = [];
    class RecordingLimiter extends TargetLimiter {
      override run<T>(target: string, work: () => Promise<T>): Promise<T> {
        limited.push(target);
        return super.run(target, work);
      }
    }
    const found = await findDelivered(
      [
        { routed: routed('1', [table]), failure: lost },
        { routed: routed('2', [table]), failure: lost },
      ],
      checker({ postgres: ['e1', 'e2'] }, asked),
      { limiter: new RecordingLimiter(2), warn: () => {} },
    );
    assert.deepEqual([...found].sort(), ['1', '2']);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.checkDeliveryOnly, true, 'a check must never write');
    assert.deepEqual(asked[0]!.target, table);
    assert.deepEqual(
      asked[0]!.records,
      [
        { id: '1', subject: 'a.b.v1', eventId: 'e1' },
        { id: '2', subject: 'a.b.v1', eventId: 'e2' },
      ],
      'a check names the event; its payload does not travel',
    );
    assert.deepEqual(limited, ['postgres:t']);
  });

  test('a fan-out record is delivered only when each of its unconfirmed sinks holds it', async () => {
    const fanOut = { routed: routed('1', [table, hook]), failure: lost };
    assert.deepEqual([...(await findDelivered([fanOut], checker({ postgres: ['e1'], http: ['e1'] }), options()))], ['1']);
    assert.deepEqual([...(await findDelivered([fanOut], checker({ postgres: ['e1'], http: [] }), options()))], []);
    assert.deepEqual([...(await findDelivered([fanOut], checker({ postgres: [], http: ['e1'] }), options()))], []);
  });

  test('a check answer that is a failure, or a record left out of the answer, is not a confirmation', async () => {
    const invoker: StageInvoker = {
      ...checker({}),
      async checkDelivery(request) {
        return {
          results: request.records
            .filter((r) => r.id !== '2')
            .map((r) => ({ id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'delivery_state_unavailable', message: 'db down', retryable: true } })),
        };
      },
    };
    const found = await findDelivered(
      [
        { routed: routed('1', [table]), failure: lost },
        { routed: routed('2', [table]), failure: lost },
      ],
      invoker,
      options(),
    );
    assert.equal(found.size, 0);
  });

  test('the warning for a sink that cannot be asked names the sink, the count and the reason', async () => {
    const fields: Record<string, unknown>[] = [];
    await findDelivered(
      [
        { routed: routed('1', [table]), failure: lost },
        { routed: routed('2', [table]), failure: lost },
      ],
      checker({ postgres: 'down' }),
      {
        limiter: new TargetLimiter(2),
        warn: (_message, details) => void fields.push(details),
      },
    );
    assert.equal(fields.length, 1);
    assert.deepEqual({ ...fields[0], detail: typeof fields[0]!.detail }, { sink: 'postgres:t', records: 2, reason: 'invoke_failed', detail: 'string' });
    assert.match(String(fields[0]!.detail), /connection refused/);
  });

  test('a bug in the invoker is not taken for an outage', async () => {
    const bug = new RangeError('bug');
    const invoker: StageInvoker = {
      ...checker({}),
      checkDelivery: async () => {
        throw bug;
      },
    };
    await assert.rejects(findDelivered([{ routed: routed('1', [table]), failure: lost }], invoker, options()), (error: unknown) => error === bug);
  });
});
