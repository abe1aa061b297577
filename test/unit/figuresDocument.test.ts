import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createReplicaId,
  FIGURES_WINDOW_MS,
  FiguresDocumentError,
  FiguresHistory,
  InvalidReplicaIdError,
  isReplicaId,
  parseReplicaFigures,
  type RouteCounts,
  replicaKey,
} from '../../shared/figures/index.ts';

/**
 * Our own bound on one replica's document: a KV value is one NATS message, and the console reads
 * one per replica each refresh. Well under 64 KB: about 42 KB with 20 routes and 9-digit counts.
 */
const DOCUMENT_BOUND_BYTES = 48 * 1024;
const T0 = 1_700_000_000_000;

describe('figures document', () => {
  test('replica ids: host name, pid and a random part, one token of the key; anything a key token cannot hold is refused', () => {
    assert.equal(createReplicaId({ hostname: 'ip-10-0-1-2.ec2.internal', pid: 1 }, 'a1b2c3'), 'ip-10-0-1-2-ec2-internal-1-a1b2c3');
    assert.equal(createReplicaId({ hostname: '', pid: 7 }, 'ff'), 'host-7-ff');
    assert.match(createReplicaId({ hostname: 'bridge', pid: 42 }), /^bridge-42-[0-9a-f]{6}$/);
    assert.notEqual(createReplicaId({ hostname: 'h', pid: 1 }), createReplicaId({ hostname: 'h', pid: 1 }), 'same host and pid: still two keys');
    assert.equal(replicaKey('bridge-42-a1b2c3'), 'replica.bridge-42-a1b2c3');
    for (const bad of ['', 'a.b', 'a*', '>', 'a b', 'x'.repeat(129)]) {
      assert.equal(isReplicaId(bad), false, bad);
      assert.throws(() => replicaKey(bad), InvalidReplicaIdError, bad);
    }
    assert.throws(() => createReplicaId({ hostname: 'h', pid: 1 }, 'not.hex'), InvalidReplicaIdError);
  });

  test('history: one point per sample, oldest first, none older than the window; routes carry what they counted since the sample before', () => {
    const history = new FiguresHistory({ replica: 'r-1-aa', startedAtMs: T0, intervalMs: 5000, windowMs: 10_000 });
    const sample = (t: number, committed: number, routes: [string, RouteCounts][]) => ({
      point: {
        t,
        committed,
        duplicates: 0,
        deadLettered: 0,
        retried: 0,
        received: committed,
        latencyP50Ms: null,
        latencyP95Ms: null,
        pending: 0,
        ackPending: 0,
      },
      routes: new Map(routes),
      circuits: new Map([['postgres:metric_events', 'closed' as const]]),
    });
    const counts = (committed: number, retried = 0): RouteCounts => ({ committed, duplicates: 0, deadLettered: 0, retried });
    history.record(sample(T0 + 5000, 10, [['cpu.v1', counts(10)]]));
    history.record(sample(T0 + 10_000, 25, [['cpu.v1', counts(25, 2)]]));
    const doc = history.record(
      sample(T0 + 15_000, 40, [
        ['cpu.v1', counts(30, 2)],
        ['unknown', counts(0, 1)],
      ]),
    );
    assert.deepEqual(
      doc.series.map((p) => p.t - T0),
      [10_000, 15_000],
    );
    assert.deepEqual(doc.routes, {
      'cpu.v1': { ...counts(30, 2), latest: counts(5, 0) },
      unknown: { ...counts(0, 1), latest: counts(0, 1) },
    });
    assert.equal(doc.startedAt, new Date(T0).toISOString());
    assert.equal(doc.publishedAt, new Date(T0 + 15_000).toISOString());
    assert.deepEqual(doc.circuits, { 'postgres:metric_events': 'closed' });
    assert.deepEqual(parseReplicaFigures(JSON.stringify(doc)), doc);
  });

  test(`a full window (15 min at 5 s: 180 points) with 20 routes stays under ${DOCUMENT_BOUND_BYTES / 1024} KB`, () => {
    const history = new FiguresHistory({ replica: 'ip-10-0-123-234-ec2-internal-1-a1b2c3', startedAtMs: T0, intervalMs: 5000 });
    const routes = new Map<string, RouteCounts>();
    let doc: ReturnType<FiguresHistory['record']> | undefined;
    // Large, awkward numbers: a long-lived busy replica, latencies with a decimal.
    for (let index = 1; index <= 400; index++) {
      const big = 123_456_789 + index * 48_321;
      for (let r = 0; r < 20; r++)
        routes.set(`messagegroup-${r}.message-name-${r}.v12`, { committed: big, duplicates: big / 100, deadLettered: 12_345, retried: 67_890 });
      doc = history.record({
        point: {
          t: T0 + index * 5000,
          committed: big,
          duplicates: 1_234_567,
          deadLettered: 123_456,
          retried: 234_567,
          received: big + 358_023,
          latencyP50Ms: 1234.5,
          latencyP95Ms: 12_345.6,
          pending: 1_234_567,
          ackPending: 12_345,
        },
        routes,
        circuits: new Map(Array.from({ length: 10 }, (_, s) => [`postgres:schema_${s}.table_${s}`, 'closed' as const])),
      });
    }
    assert.equal(doc!.series.length, FIGURES_WINDOW_MS / 5000);
    const bytes = Buffer.byteLength(JSON.stringify(doc));
    assert.ok(bytes < DOCUMENT_BOUND_BYTES, `${bytes} bytes`);
  });

  test('a stored value that is not a figures document is refused with what is wrong', () => {
    const good = new FiguresHistory({ replica: 'r-1-aa', startedAtMs: T0, intervalMs: 5000 }).record({
      point: {
        t: T0,
        committed: 1,
        duplicates: 0,
        deadLettered: 0,
        retried: 0,
        received: 1,
        latencyP50Ms: 3,
        latencyP95Ms: 4,
        pending: null,
        ackPending: null,
      },
      routes: new Map(),
      circuits: new Map(),
    });
    const refused = (text: string, pattern: RegExp): void => {
      assert.throws(
        () => parseReplicaFigures(text),
        (error: unknown) => error instanceof FiguresDocumentError && pattern.test(error.message),
        text,
      );
    };
    refused('{not json', /not JSON/);
    refused('[1]', /not a JSON object/);
    refused(JSON.stringify({ ...good, version: 2 }), /version 2/);
    refused(JSON.stringify({ ...good, publishedAt: 'yesterday' }), /publishedAt/);
    refused(JSON.stringify({ ...good, series: [{ ...good.series[0], committed: -1 }] }), /series\[0\]\.committed is not a count/);
    refused(JSON.stringify({ ...good, series: [{ ...good.series[0], pending: 'lots' }] }), /series\[0\]\.pending is neither/);
    refused(JSON.stringify({ ...good, routes: { r: { committed: 1, duplicates: 0, deadLettered: 0, retried: 0 } } }), /routes\.r\.latest/);
    refused(JSON.stringify({ ...good, circuits: { s: 'half' } }), /circuits\.s/);
    assert.deepEqual(parseReplicaFigures(new TextEncoder().encode(JSON.stringify(good))), good);
  });
});
