import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvokeError } from '../../bridge/errors.ts';
import type { StageInvoker } from '../../bridge/invoker.ts';
import { runPipeline } from '../../bridge/pipeline.ts';
import { TargetLimiter } from '../../bridge/targetLimiter.ts';
import type { RawRecord, SinkWriteRequest } from '../../shared/contracts/index.ts';

const record = (id: string): RawRecord => ({ id, subject: 'a.b.v1', payload: '', publishedAtMs: Date.parse('2026-01-01T00:00:00.000Z') });
const pin = { numericId: 1, cacheKey: '1@1' };
/** Validate's verdict on a record that decodes: its event id (`e` + the record's id) and the versions pinned. */
const verdict = (id: string) => ({ id, ok: true as const, eventId: `e${id}`, reader: pin, writer: pin });
const sink = { kind: 'postgres', table: 't' } as const;

/** The sink stage's options: no record delivered before unless named, warnings collected. */
function stage(limiter = new TargetLimiter(4), redelivered: readonly string[] = [], warnings: string[] = []) {
  return { limiter, warn: (message: string) => warnings.push(message), redelivered: (id: string) => redelivered.includes(id) };
}

/** A stand-in for the three functions, answering by rules given per test. */
function invoker(overrides: Partial<StageInvoker>): StageInvoker {
  return {
    validate: async (req) => ({ results: req.records.map((r) => verdict(r.id)) }),
    route: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, sinks: [sink], deadLetterSubject: 'dl.a' })) }),
    sinkWrite: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) }),
    checkDelivery: async (req) => ({ results: req.records.map((r) => ({ id: r.id, ok: true, delivered: 'no' as const })) }),
    ...overrides,
  };
}

describe('runPipeline', () => {
  test("sink-write gets each record's own payload string and validate's verdict, never a decoded event", async () => {
    const payloads = new Map([
      ['1', 'AQID'],
      ['2', 'BAUG'],
    ]);
    const requests: SinkWriteRequest[] = [];
    const outcomes = await runPipeline(
      [...payloads].map(([id, payload]) => ({ ...record(id), payload, publishedAtMs: 42 })),
      invoker({
        validate: async (req) => ({ results: req.records.map((r) => ({ ...verdict(r.id), writer: { numericId: 2, cacheKey: '2@1' } })) }),
        sinkWrite: async (req) => {
          requests.push(req);
          return { results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) };
        },
      }),
      stage(),
    );
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]!.records, [
      { id: '1', subject: 'a.b.v1', payload: 'AQID', publishedAtMs: 42, eventId: 'e1', reader: pin, writer: { numericId: 2, cacheKey: '2@1' } },
      { id: '2', subject: 'a.b.v1', payload: 'BAUG', publishedAtMs: 42, eventId: 'e2', reader: pin, writer: { numericId: 2, cacheKey: '2@1' } },
    ]);
    // The route key of an outcome comes from the subject, since no decoded event comes back.
    assert.deepEqual(outcomes.get('2'), { kind: 'committed', duplicate: false, eventId: 'e2', routeKey: { type: 'a.b', version: 'v1' } });
  });

  test('every record gets exactly one outcome, and failures stay with their record', async () => {
    const outcomes = await runPipeline(
      ['1', '2', '3', '4'].map(record),
      invoker({
        validate: async (req) => ({
          results: req.records.map((r) =>
            r.id === '2'
              ? { id: r.id, ok: false, failure: { stage: 'validate', reason: 'avro_decode_failed', message: 'bad', retryable: false } }
              : verdict(r.id),
          ),
        }),
        sinkWrite: async (req) => ({
          results: req.records.map((r) =>
            r.id === '4'
              ? { id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'sink_unavailable', message: 'down', retryable: true } }
              : { id: r.id, ok: true, duplicate: r.id === '3' },
          ),
        }),
      }),
      stage(),
    );
    assert.equal(outcomes.size, 4);
    assert.deepEqual(outcomes.get('1'), { kind: 'committed', duplicate: false, eventId: 'e1', routeKey: { type: 'a.b', version: 'v1' } });
    assert.equal(outcomes.get('2')?.kind === 'failed' && outcomes.get('2')?.kind, 'failed');
    assert.deepEqual(outcomes.get('3'), { kind: 'committed', duplicate: true, eventId: 'e3', routeKey: { type: 'a.b', version: 'v1' } });
    const four = outcomes.get('4');
    assert.ok(four?.kind === 'failed' && four.failure.retryable && four.deadLetterSubject === 'dl.a' && four.eventId === 'e4');
  });

  test('route is asked once per distinct subject; a fan-out record is written to each target, and the sinks that took a partly failed one are recorded', async () => {
    const routeRequests: string[][] = [];
    const writes: string[] = [];
    const onSubject = (id: string, subject: string): RawRecord => ({ ...record(id), subject });
    const outcomes = await runPipeline(
      [onSubject('1', 'a.b.v1'), onSubject('2', 'a.b.v1'), onSubject('3', 'fan.out.v1'), onSubject('4', 'fan.out.v1'), onSubject('5', 'fan.out.v1')],
      invoker({
        route: async (req) => {
          routeRequests.push(req.records.map((r) => r.id));
          return {
            results: req.records.map((r) => ({
              id: r.id,
              ok: true,
              sinks: r.subject === 'fan.out.v1' ? [sink, { kind: 'nats', subject: 'copy.out' } as const] : [sink],
              deadLetterSubject: 'dl.a',
            })),
          };
        },
        sinkWrite: async (req) => {
          // * = tracked (delivered before); `record` = a request that only records deliveries.
          writes.push(
            `${req.recordDeliveryOnly === true ? 'record ' : ''}${req.target.kind}:${req.records.map((r) => `${r.id}${'trackDelivery' in r && r.trackDelivery === true ? '*' : ''}`).join(',')}`,
          );
          // The NATS copy refuses record 4 for good; PostgreSQL takes everything.
          return {
            results: req.records.map((r) =>
              req.target.kind === 'nats' && r.id === '4'
                ? { id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'sink_rejected', message: 'no', retryable: false } }
                : { id: r.id, ok: true, duplicate: false },
            ),
          };
        },
      }),
      stage(undefined, ['5']),
    );
    assert.deepEqual(routeRequests, [['a.b.v1', 'fan.out.v1']]);
    // First deliveries go untracked (no delivery state while all goes well); 5 came before, so it is
    // tracked; 4 failed at NATS, so PostgreSQL having it is recorded for its retry or replay.
    assert.deepEqual(writes.sort(), ['nats:3,4,5*', 'postgres:1,2,3,4,5*', 'record postgres:4']);
    assert.equal(outcomes.get('3')?.kind, 'committed');
    const four = outcomes.get('4');
    assert.ok(four?.kind === 'failed');
    assert.equal(four.failure.retryable, false);
    assert.deepEqual(
      four.failure.sinks?.map((outcome) => [outcome.sink, outcome.delivered]),
      [
        ['postgres:t', true],
        ['nats:copy.out', false],
      ],
    );
  });

  test('when recording the sinks that took a partly failed record fails, the record keeps its outcome and a warning is logged', async () => {
    const warnings: string[] = [];
    const outcomes = await runPipeline(
      [{ ...record('1'), subject: 'fan.out.v1' }],
      invoker({
        route: async (req) => ({
          results: req.records.map((r) => ({ id: r.id, ok: true, sinks: [sink, { kind: 'nats', subject: 'copy.out' } as const], deadLetterSubject: 'dl.a' })),
        }),
        sinkWrite: async (req) => {
          if (req.recordDeliveryOnly === true) throw new InvokeError('sink-write', 'ingest-dev-sink-write', 'connection refused');
          return {
            results: req.records.map((r) =>
              req.target.kind === 'nats'
                ? { id: r.id, ok: false, failure: { stage: 'sink-write', reason: 'sink_unavailable', message: 'down', retryable: true } }
                : { id: r.id, ok: true, duplicate: false },
            ),
          };
        },
      }),
      stage(undefined, [], warnings),
    );
    const one = outcomes.get('1');
    assert.ok(one?.kind === 'failed' && one.failure.retryable);
    assert.deepEqual(warnings, ['fan-out delivery state not saved; the retry may call this sink again']);
  });

  test('two routes writing to one table with different column mappings get a call each, under one limit', async () => {
    const calls: string[] = [];
    const onSubject = (id: string, subject: string): RawRecord => ({ ...record(id), subject });
    await runPipeline(
      [onSubject('1', 'a.b.v1'), onSubject('2', 'c.d.v1')],
      invoker({
        route: async (req) => ({
          results: req.records.map((r) => ({
            id: r.id,
            ok: true,
            sinks: [{ kind: 'postgres', table: 't', columns: r.subject === 'a.b.v1' ? { value: 'data.a' } : { value: 'data.c' } } as const],
            deadLetterSubject: 'dl.a',
          })),
        }),
        sinkWrite: async (req) => {
          calls.push(`${JSON.stringify(req.target)}:${req.records.map((r) => r.id).join(',')}`);
          return { results: req.records.map((r) => ({ id: r.id, ok: true, duplicate: false })) };
        },
      }),
      stage(new TargetLimiter(1)),
    );
    assert.deepEqual(calls.sort(), [
      '{"kind":"postgres","table":"t","columns":{"value":"data.a"}}:1',
      '{"kind":"postgres","table":"t","columns":{"value":"data.c"}}:2',
    ]);
  });

  test('a stage that cannot be invoked fails its records as retryable, without calling later stages', async () => {
    let sinkCalled = false;
    const outcomes = await runPipeline(
      ['1', '2'].map(record),
      invoker({
        route: async () => {
          throw new InvokeError('route', 'ingest-dev-route', 'connection refused');
        },
        sinkWrite: async () => {
          sinkCalled = true;
          return { results: [] };
        },
      }),
      stage(),
    );
    assert.equal(sinkCalled, false);
    // Both records, each with the route stage's invoke failure (retryable), its own event id and the
    // route key validate gave it; no dead-letter subject, since route never answered.
    const failedAtRoute = (id: string) => ({
      kind: 'failed',
      failure: { stage: 'route', reason: 'invoke_failed', message: 'ingest-dev-route: connection refused', retryable: true },
      deadLetterSubject: undefined,
      eventId: `e${id}`,
      routeKey: { type: 'a.b', version: 'v1' },
      retryBudget: undefined,
    });
    assert.deepEqual(
      [...outcomes.entries()],
      [
        ['1', failedAtRoute('1')],
        ['2', failedAtRoute('2')],
      ],
    );
  });

  test('a record a function forgot to answer is a retryable malformed_response, not a silent drop', async () => {
    const outcomes = await runPipeline(
      ['1', '2'].map(record),
      invoker({
        sinkWrite: async (req) => ({ results: req.records.slice(0, 1).map((r) => ({ id: r.id, ok: true, duplicate: false })) }),
      }),
      stage(),
    );
    const two = outcomes.get('2');
    assert.ok(two?.kind === 'failed' && two.failure.reason === 'malformed_response' && two.failure.retryable);
    assert.equal(outcomes.get('1')?.kind, 'committed');
  });

  test('an unexpected bug in the invoker is not disguised as a retryable failure', async () => {
    await assert.rejects(
      runPipeline(
        [record('1')],
        invoker({
          validate: async () => {
            throw new TypeError('bug');
          },
        }),
        stage(),
      ),
      TypeError,
    );
  });
});
