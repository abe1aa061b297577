import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvokeError } from '../../bridge/errors.ts';
import type { StageInvoker } from '../../bridge/invoker.ts';
import { runPipeline } from '../../bridge/pipeline.ts';
import { collect } from '../../bridge/stageResults.ts';
import { TargetLimiter } from '../../bridge/targetLimiter.ts';
import type { RawRecord, SinkWriteRequest } from '../../shared/contracts/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';

// The exact outcome each path through validate -> route -> sink-write maps a record to: these
// fields decide ack, retry or dead letter (settle.ts) and where the dead letter goes.

const record = (id: string, subject = 'a.b.v1'): RawRecord => ({ id, subject, payload: '', publishedAtMs: 0 });
const pin = { numericId: 1, cacheKey: '1@1' };
/** Validate's verdict on a record that decodes: its event id (`e` + the record's id) and the versions pinned. */
const verdict = (id: string) => ({ id, ok: true as const, eventId: `e${id}`, reader: pin, writer: pin });
const table = { kind: 'postgres', table: 't' } as const;
const hook = { kind: 'nats', subject: 'out.x' } as const;
const failure = (stage: RecordFailure['stage'], reason: RecordFailure['reason'], retryable: boolean): RecordFailure => ({
  stage,
  reason,
  message: `${reason} here`,
  retryable,
});

/** Sink-stage options; `asked` collects the ids the pipeline asked "delivered before?" about. */
function stage(redelivered: readonly string[] = [], asked: string[] = []) {
  return {
    limiter: new TargetLimiter(4),
    warn: () => {},
    redelivered: (id: string) => {
      asked.push(id);
      return redelivered.includes(id);
    },
  };
}

function invoker(overrides: Partial<StageInvoker>): StageInvoker {
  return {
    validate: async (req) => ({ results: req.records.map((r) => verdict(r.id)) }),
    route: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, sinks: [table], deadLetterSubject: `dl.${r.subject}` })) }),
    sinkWrite: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) }),
    checkDelivery: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, delivered: 'no' as const })) }),
    ...overrides,
  };
}

describe('runPipeline outcomes, field by field', () => {
  test('a record validate refuses keeps the dead-letter subject and route key validate named, and no event id', async () => {
    const refused = failure('validate', 'avro_decode_failed', false);
    let routeAsked = false;
    const outcomes = await runPipeline(
      [record('1')],
      invoker({
        validate: async (req) => ({
          results: req.records.map((r) => ({
            id: r.id,
            ok: false,
            failure: refused,
            deadLetterSubject: 'dl.a.b.v1',
            routeKey: { type: 'a.b', version: 'v1' },
          })),
        }),
        route: async () => {
          routeAsked = true;
          return { results: [] };
        },
      }),
      stage(),
    );
    assert.deepEqual(outcomes.get('1'), {
      kind: 'failed',
      failure: refused,
      deadLetterSubject: 'dl.a.b.v1',
      eventId: null,
      routeKey: { type: 'a.b', version: 'v1' },
      retryBudget: undefined,
    });
    assert.equal(routeAsked, false, 'route is not asked when no record survived validate');
  });

  test('a record validate refuses without naming a route has neither route key nor dead-letter subject', async () => {
    const refused = failure('validate', 'invalid_subject', false);
    const outcomes = await runPipeline(
      [record('1')],
      invoker({
        validate: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: false, failure: refused })) }),
      }),
      stage(),
    );
    assert.deepEqual(outcomes.get('1'), {
      kind: 'failed',
      failure: refused,
      deadLetterSubject: undefined,
      eventId: null,
      routeKey: null,
      retryBudget: undefined,
    });
  });

  test('validate that cannot be invoked fails every record with that retryable failure', async () => {
    const outcomes = await runPipeline(
      [record('1'), record('2')],
      invoker({
        validate: async () => {
          throw new InvokeError('validate', 'ingest-dev-validate', 'connection refused');
        },
      }),
      stage(),
    );
    assert.equal(outcomes.size, 2);
    for (const id of ['1', '2']) {
      const outcome = outcomes.get(id);
      assert.ok(outcome?.kind === 'failed', id);
      assert.equal(outcome.failure.reason, 'invoke_failed');
      assert.equal(outcome.failure.retryable, true);
      assert.equal(outcome.eventId, null);
      assert.equal(outcome.routeKey, null);
      assert.equal(outcome.deadLetterSubject, undefined);
    }
  });

  test('route that cannot be invoked fails each valid record with its own event id and route key', async () => {
    const outcomes = await runPipeline(
      [record('1', 'a.b.v1'), record('2', 'c.d.v1')],
      invoker({
        route: async () => {
          throw new InvokeError('route', 'ingest-dev-route', 'timeout');
        },
      }),
      stage(),
    );
    const one = outcomes.get('1');
    const two = outcomes.get('2');
    assert.ok(one?.kind === 'failed' && two?.kind === 'failed', 'both records failed');
    assert.deepEqual([one.eventId, one.routeKey, one.failure.reason], ['e1', { type: 'a.b', version: 'v1' }, 'invoke_failed']);
    assert.deepEqual([two.eventId, two.routeKey, two.failure.reason], ['e2', { type: 'c.d', version: 'v1' }, 'invoke_failed']);
  });

  test('a record whose subject is no route key gets route key null, committed or failed, without failing its batch', async () => {
    // Validate refuses such subjects, but the bridge must not throw if one ever passes: the
    // whole batch would be handed back and come again, forever.
    const subjects = ['a.b.v1', 'x.not-versioned', 'x.not-versioned'];
    const records = subjects.map((subject, index) => record(String(index + 1), subject));
    const committed = await runPipeline(records, invoker({}), stage());
    const routeFailed = await runPipeline(
      records,
      invoker({
        route: async () => {
          throw new InvokeError('route', 'ingest-dev-route', 'timeout');
        },
      }),
      stage(),
    );
    for (const [outcomes, kind] of [
      [committed, 'committed'],
      [routeFailed, 'failed'],
    ] as const) {
      assert.deepEqual(
        ['1', '2', '3'].map((id) => [outcomes.get(id)?.kind, outcomes.get(id)?.eventId, outcomes.get(id)?.routeKey]),
        [
          [kind, 'e1', { type: 'a.b', version: 'v1' }],
          [kind, 'e2', null],
          [kind, 'e3', null],
        ],
        kind,
      );
    }
  });

  test("a route refusal keeps the route's dead-letter subject and the event's ids; other subjects go on", async () => {
    const unknown = failure('route', 'unknown_route', false);
    const written: string[] = [];
    const outcomes = await runPipeline(
      [record('1', 'a.b.v1'), record('2', 'c.d.v1')],
      invoker({
        route: async (req) => ({
          results: req.records.map((r) =>
            r.subject === 'a.b.v1'
              ? { id: r.id, ok: false, failure: unknown, deadLetterSubject: 'dl.refused' }
              : { id: r.id, ok: true, sinks: [table], deadLetterSubject: 'dl.c' },
          ),
        }),
        sinkWrite: async (req) => {
          written.push(...req.records.map((r) => r.id));
          return { results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) };
        },
      }),
      stage(),
    );
    assert.deepEqual(outcomes.get('1'), {
      kind: 'failed',
      failure: unknown,
      deadLetterSubject: 'dl.refused',
      eventId: 'e1',
      routeKey: { type: 'a.b', version: 'v1' },
      retryBudget: undefined,
    });
    assert.deepEqual(outcomes.get('2'), { kind: 'committed', duplicate: false, eventId: 'e2', routeKey: { type: 'c.d', version: 'v1' } });
    assert.deepEqual(written, ['2']);
  });

  test('a route answered without sinks is a retryable malformed_response of the route stage, never a silent ack', async () => {
    for (const sinks of [[], undefined]) {
      const outcomes = await runPipeline(
        [record('1')],
        invoker({
          route: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, sinks, deadLetterSubject: 'dl.a', retryBudget: 4 })) }) as never,
          sinkWrite: async () => assert.fail('nothing to write'),
        }),
        stage(),
      );
      assert.deepEqual(
        outcomes.get('1'),
        {
          kind: 'failed',
          failure: { stage: 'route', reason: 'malformed_response', message: 'route answered without sinks', retryable: true },
          deadLetterSubject: 'dl.a',
          eventId: 'e1',
          routeKey: { type: 'a.b', version: 'v1' },
          retryBudget: 4,
        },
        JSON.stringify(sinks),
      );
    }
  });

  test("a sink failure carries the route's budget, dead-letter subject and what was written where", async () => {
    const down = failure('sink-write', 'sink_unavailable', true);
    const outcomes = await runPipeline(
      [record('1'), record('2', 'c.d.v1')],
      invoker({
        route: async (req) => ({
          results: req.records.map((r) => ({
            id: r.id,
            ok: true,
            sinks: [table],
            deadLetterSubject: `dl.${r.subject}`,
            ...(r.subject === 'a.b.v1' ? { retryBudget: 7 } : {}),
          })),
        }),
        sinkWrite: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: false, failure: down })) }),
      }),
      stage(),
    );
    assert.deepEqual(outcomes.get('1'), {
      kind: 'failed',
      failure: down,
      deadLetterSubject: 'dl.a.b.v1',
      eventId: 'e1',
      routeKey: { type: 'a.b', version: 'v1' },
      retryBudget: 7,
      routed: {
        write: { id: '1', subject: 'a.b.v1', payload: '', publishedAtMs: 0, eventId: 'e1', reader: pin, writer: pin },
        sinks: [table],
        redelivered: false,
      },
    });
    const two = outcomes.get('2');
    assert.ok(two?.kind === 'failed', 'record 2 failed');
    assert.equal(two.retryBudget, undefined, 'a route without a budget leaves the default in force');
    assert.equal(two.deadLetterSubject, 'dl.c.d.v1');
  });

  test("a committed record reports the sink's duplicate answer, its event id and route key", async () => {
    const outcomes = await runPipeline(
      [record('1'), record('2')],
      invoker({
        sinkWrite: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: r.id === '2' })) }),
      }),
      stage(),
    );
    assert.deepEqual(outcomes.get('1'), { kind: 'committed', duplicate: false, eventId: 'e1', routeKey: { type: 'a.b', version: 'v1' } });
    assert.deepEqual(outcomes.get('2'), { kind: 'committed', duplicate: true, eventId: 'e2', routeKey: { type: 'a.b', version: 'v1' } });
  });

  test('a record validate or route left unanswered fails as a retryable malformed_response of that stage', async () => {
    const noValidate = await runPipeline(
      [record('1'), record('2')],
      invoker({
        validate: async (req) => ({ results: req.records.filter((r) => r.id === '1').map((r) => verdict(r.id)) }),
      }),
      stage(),
    );
    assert.deepEqual(noValidate.get('2'), {
      kind: 'failed',
      failure: { stage: 'validate', reason: 'malformed_response', message: 'validate returned no result for record 2', retryable: true },
      deadLetterSubject: undefined,
      eventId: null,
      routeKey: null,
      retryBudget: undefined,
    });
    assert.equal(noValidate.get('1')?.kind, 'committed');

    const noRoute = await runPipeline([record('1')], invoker({ route: async () => ({ results: [] }) }), stage());
    assert.deepEqual(noRoute.get('1'), {
      kind: 'failed',
      failure: { stage: 'route', reason: 'malformed_response', message: 'route returned no result for record a.b.v1', retryable: true },
      deadLetterSubject: undefined,
      eventId: 'e1',
      routeKey: { type: 'a.b', version: 'v1' },
      retryBudget: undefined,
    });
  });

  test('an error that is not a failed invocation propagates unchanged, from any stage', async () => {
    const bug = new RangeError('bug in the invoker');
    await assert.rejects(
      runPipeline(
        [record('1')],
        invoker({
          validate: async () => {
            throw bug;
          },
        }),
        stage(),
      ),
      (error: unknown) => error === bug,
    );
    await assert.rejects(
      runPipeline(
        [record('1')],
        invoker({
          route: async () => {
            throw bug;
          },
        }),
        stage(),
      ),
      (error: unknown) => error === bug,
    );
  });

  test('only fan-out records are asked whether they were delivered before, and a redelivered one is written tracked', async () => {
    const asked: string[] = [];
    const requests: SinkWriteRequest[] = [];
    await runPipeline(
      [record('1'), record('2', 'c.d.v1'), record('3', 'c.d.v1')],
      invoker({
        route: async (req) => ({
          results: req.records.map((r) => ({ id: r.id, ok: true, sinks: r.subject === 'a.b.v1' ? [table] : [table, hook], deadLetterSubject: 'dl' })),
        }),
        sinkWrite: async (req) => {
          requests.push(req);
          return { results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) };
        },
      }),
      stage(['1', '2'], asked),
    );
    assert.deepEqual(asked.sort(), ['2', '3']);
    const tracked = requests.flatMap((req) =>
      req.records.filter((r) => 'trackDelivery' in r && r.trackDelivery === true).map((r) => `${req.target.kind}:${r.id}`),
    );
    assert.deepEqual(tracked.sort(), ['nats:2', 'postgres:2']);
  });
});

describe("collect: matching a function's answers to the records it was given", () => {
  const answer = (id: string, ok = true) => (ok ? { id, ok: true, value: id } : { id, ok: false, failure: failure('route', 'unknown_route', false) });

  test('each record gets its own answer; extra and repeated answers are ignored, the first one counts', () => {
    const results = collect<{ value: string }>('route', ['a', 'b'], { results: [answer('b'), answer('x'), answer('a'), answer('b', false)] });
    assert.deepEqual([...results.keys()].sort(), ['a', 'b']);
    assert.deepEqual(results.get('a'), answer('a'));
    assert.deepEqual(results.get('b'), answer('b'));
  });

  test('an answer that is not a result list fails every record as a retryable malformed_response naming the stage', () => {
    for (const results of [undefined, null, 'results', { results: 'nope' }, { other: [] }]) {
      const collected = collect('sink-write', ['a'], results);
      assert.deepEqual(
        collected.get('a'),
        {
          id: 'a',
          ok: false,
          failure: { stage: 'sink-write', reason: 'malformed_response', message: 'sink-write returned no result for record a', retryable: true },
        },
        JSON.stringify(results),
      );
    }
  });
});
