import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaView as ConsoleReplicaView, RouteFiguresView, SeriesPoint as ConsoleSeriesPoint } from '../../shared/console/views.ts';
import {
  FIGURES_VERSION,
  type FiguresPoint,
  type ReplicaFigures,
  type ReplicaView,
  type RouteFiguresSummary,
  type RouteFigures,
  type SeriesPoint,
  summarizeFigures,
} from '../../shared/figures/index.ts';

// The summary's shapes are the console's (which shared/figures may not import): these fail to compile when they drift.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameSeriesPoint: Equal<SeriesPoint, ConsoleSeriesPoint> = true;
const sameReplicaView: Equal<ReplicaView, ConsoleReplicaView> = true;
const sameRouteRow: Equal<RouteFiguresSummary, Omit<RouteFiguresView, 'subject' | 'deadLetterDepth'>> = true;

const INTERVAL = 5000;
// A multiple of the interval, so bucket times are easy to read.
const T0 = 1_700_000_000_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function point(t: number, counts: Partial<FiguresPoint> = {}): FiguresPoint {
  return {
    t,
    committed: 0,
    duplicates: 0,
    deadLettered: 0,
    retried: 0,
    received: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    pending: null,
    ackPending: null,
    ...counts,
  };
}

function replica(id: string, startedAtMs: number, series: FiguresPoint[], more: Partial<ReplicaFigures> = {}): ReplicaFigures {
  return {
    version: FIGURES_VERSION,
    replica: id,
    startedAt: iso(startedAtMs),
    publishedAt: iso(series.at(-1)?.t ?? startedAtMs),
    intervalMs: INTERVAL,
    series,
    routes: {},
    circuits: {},
    ...more,
  };
}

function route(total: Partial<RouteFigures>, latest: Partial<RouteFigures['latest']> = {}): RouteFigures {
  const zero = { committed: 0, duplicates: 0, deadLettered: 0, retried: 0 };
  return { ...zero, ...total, latest: { ...zero, ...latest } };
}

describe('figures summary: every replica merged into the overview', () => {
  test('the shapes are the console view types', () => {
    assert.ok(sameSeriesPoint && sameReplicaView && sameRouteRow);
  });

  test('two replicas: points aligned on interval buckets, rates summed, totals summed, the lag as the latest replica saw it', () => {
    const a = replica('a', T0, [
      point(T0 + 5000, { committed: 50, pending: 9, ackPending: 4 }),
      point(T0 + 10_000, { committed: 150, deadLettered: 10, pending: 7, ackPending: 2 }),
    ]);
    const b = replica('b', T0 + 100, [
      point(T0 + 5100, { committed: 20, pending: 8, ackPending: 3 }),
      point(T0 + 10_100, { committed: 70, retried: 5, pending: 3, ackPending: 1 }),
    ]);
    const summary = summarizeFigures([b, a], { now: T0 + 10_200, windowMs: 900_000 });
    assert.equal(summary.intervalMs, INTERVAL);
    assert.deepEqual(
      summary.series.map((p) => p.t),
      [T0 + 5000, T0 + 10_000],
    );
    const [first, second] = summary.series;
    // a: 50 in 5 s; b: 20 in 5 s (from its start at +100).
    assert.equal(first!.eventsPerSecond, 10 + 4);
    assert.equal(first!.errorRate, 0);
    // a: 100 committed + 10 dead-lettered in 5 s; b: 50 committed in 5 s (its 5 retries are not settled).
    assert.equal(second!.eventsPerSecond, 22 + 10);
    assert.equal(second!.errorRate, (10 + 5) / (100 + 10 + 50 + 5));
    assert.equal(second!.committedTotal, 150 + 70);
    assert.equal(second!.settledTotal, 160 + 70);
    assert.equal(second!.deadLetteredTotal, 10);
    // One consumer for all: b's report is the later one, not a + b.
    assert.equal(second!.consumerPending, 3);
    assert.equal(second!.consumerAckPending, 1);
    assert.deepEqual(summary.replicas, [
      { replica: 'a', publishedAt: iso(T0 + 10_000), stale: false },
      { replica: 'b', publishedAt: iso(T0 + 10_100), stale: false },
    ]);
  });

  test('counters that go down are a new start: the interval counts from zero, never a negative rate', () => {
    const restarted = replica('r', T0, [
      point(T0 + 5000, { committed: 100 }),
      point(T0 + 10_000, { committed: 200 }),
      point(T0 + 15_000, { committed: 30, received: 30 }),
    ]);
    const summary = summarizeFigures([restarted], { now: T0 + 15_000, windowMs: 900_000 });
    assert.deepEqual(
      summary.series.map((p) => p.eventsPerSecond),
      [20, 20, 6],
    );
    assert.equal(summary.series.at(-1)!.committedTotal, 30);
  });

  test('a replica silent for more than three intervals is stale: its totals stay, its rates and lag are old news', () => {
    const now = T0 + 60_000;
    const gone = replica('gone', T0, [point(T0 + 5000, { committed: 40 }), point(T0 + 10_000, { committed: 90 })], {
      routes: { 'cpu.v1': route({ committed: 90 }, { committed: 50 }) },
    });
    const live = replica('live', T0 + 40_000, [point(T0 + 45_000, { committed: 5 }), point(now, { committed: 15 })], {
      routes: { 'cpu.v1': route({ committed: 15 }, { committed: 10 }) },
    });
    const summary = summarizeFigures([gone, live], { now, windowMs: 900_000 });
    assert.deepEqual(
      summary.replicas.map((r) => [r.replica, r.stale]),
      [
        ['gone', true],
        ['live', false],
      ],
    );
    assert.deepEqual(summary.routes, [
      { route: 'cpu.v1', eventsPerSecond: 10 / 15, errorsPerSecond: 0, committedTotal: 105, deadLetteredTotal: 0, retriedTotal: 0, circuits: [] },
    ]);
    // The gone replica counts in the totals of the buckets it published in, not after its last point.
    assert.deepEqual(
      summary.series.map((p) => [p.t - T0, p.committedTotal]),
      [
        [5000, 40],
        [10_000, 90],
        [45_000, 5],
        [60_000, 15],
      ],
    );
  });

  test('points older than the window are left out, and the first one inside still has its rate from the one before', () => {
    const series = Array.from({ length: 10 }, (_, index) => point(T0 + (index + 1) * INTERVAL, { committed: (index + 1) * 50 }));
    const summary = summarizeFigures([replica('a', T0, series)], { now: T0 + 50_000, windowMs: 20_000 });
    assert.deepEqual(
      summary.series.map((p) => p.t - T0),
      [30_000, 35_000, 40_000, 45_000, 50_000],
    );
    assert.ok(summary.series.every((p) => p.eventsPerSecond === 10));
    assert.equal(summary.windowMs, 20_000);
  });

  test('an interval in which nothing was decided has no error rate and no latency; a first point long after the start is only a baseline', () => {
    const idle = replica('idle', T0 - 600_000, [point(T0 + 5000, { committed: 7 }), point(T0 + 10_000, { committed: 7 })]);
    const summary = summarizeFigures([idle], { now: T0 + 10_000, windowMs: 900_000 });
    for (const p of summary.series) {
      assert.equal(p.eventsPerSecond, 0);
      assert.equal(p.errorRate, null);
      assert.equal(p.latencyP50Ms, null);
      assert.equal(p.latencyP95Ms, null);
      assert.equal(p.consumerPending, null);
    }
    assert.equal(summary.series.at(-1)!.committedTotal, 7);
  });

  test('latency: the largest p95, and the p50s weighted by what each replica committed', () => {
    const a = replica('a', T0, [point(T0 + 5000, { committed: 100, latencyP50Ms: 10, latencyP95Ms: 40 })]);
    const b = replica('b', T0, [point(T0 + 5000, { committed: 300, latencyP50Ms: 30, latencyP95Ms: 35 })]);
    const idle = replica('c', T0, [point(T0 + 5000)]);
    const [merged] = summarizeFigures([a, b, idle], { now: T0 + 5000, windowMs: 900_000 }).series;
    assert.equal(merged!.latencyP95Ms, 40);
    assert.equal(merged!.latencyP50Ms, (10 * 100 + 30 * 300) / 400);
  });

  test('route rows: rates over each live replica latest interval summed, totals summed, circuits from every replica with open winning', () => {
    const a = replica('a', T0, [point(T0 + 5000), point(T0 + 10_000)], {
      routes: {
        'cpu.v1': route({ committed: 100, deadLettered: 3, retried: 4 }, { committed: 40, duplicates: 5, deadLettered: 1, retried: 4 }),
        unknown: route({ deadLettered: 2 }, { deadLettered: 2 }),
      },
      circuits: { 'postgres:metric_events': 'closed', 'http:example': 'open' },
    });
    const b = replica('b', T0, [point(T0 + 10_000)], {
      routes: { 'cpu.v1': route({ committed: 20 }, { committed: 20 }) },
      circuits: { 'postgres:metric_events': 'open' },
    });
    const summary = summarizeFigures([a, b], {
      now: T0 + 10_000,
      windowMs: 900_000,
      sinksOfRoute: (name) => (name === 'cpu.v1' ? ['postgres:metric_events', 'nats:never-reported'] : []),
    });
    assert.deepEqual(summary.routes, [
      {
        route: 'cpu.v1',
        // a: 46 settled in 5 s; b: 20 in 10 s (its only interval, from its start).
        eventsPerSecond: 46 / 5 + 20 / 10,
        errorsPerSecond: 5 / 5,
        committedTotal: 120,
        deadLetteredTotal: 3,
        retriedTotal: 4,
        circuits: [
          { sink: 'postgres:metric_events', state: 'open' },
          { sink: 'nats:never-reported', state: 'closed' },
        ],
      },
      { route: 'unknown', eventsPerSecond: 2 / 5, errorsPerSecond: 2 / 5, committedTotal: 0, deadLetteredTotal: 2, retriedTotal: 0, circuits: [] },
    ]);
    assert.deepEqual(summary.circuits, [
      { sink: 'http:example', state: 'open' },
      { sink: 'postgres:metric_events', state: 'open' },
    ]);
  });

  test('no documents: an empty overview at the default interval', () => {
    assert.deepEqual(summarizeFigures([], { now: T0, windowMs: 900_000 }), {
      intervalMs: 5000,
      windowMs: 900_000,
      series: [],
      routes: [],
      replicas: [],
      circuits: [],
    });
  });
});
