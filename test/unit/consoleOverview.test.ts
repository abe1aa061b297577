import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildOverview, type DeadLetterCounts, type OverviewSources } from '../../shared/console/index.ts';
import { FIGURES_VERSION, type FiguresPoint, type ReplicaFigures } from '../../shared/figures/index.ts';
import type { RouteRecord } from '../../shared/routes/index.ts';

const T0 = 1_700_000_000_000;
const INTERVAL = 5000;

function route(type: string, deadLetterSubject: string): RouteRecord {
  return {
    key: { type, version: 'v1' },
    subject: `${type}.v1`,
    messageXid: `/messagegroups/g/messages/${type}.v1`,
    schema: {
      xid: '/schemagroups/g/schemas/s/versions/1',
      schemaXid: '/schemagroups/g/schemas/s',
      format: 'Avro/1.12',
      definition: 'string',
      numericId: 1,
      fingerprint: '00',
      cacheKey: '1@1',
    },
    sinks: [{ kind: 'postgres', table: `${type.replaceAll('.', '_')}_events` }],
    deadLetterSubject,
    retryBudget: undefined,
    wireFormat: 'raw',
    epoch: 1,
  };
}

function point(t: number, committed: number, deadLettered = 0): FiguresPoint {
  return {
    t,
    committed,
    duplicates: 0,
    deadLettered,
    retried: 0,
    received: committed + deadLettered,
    latencyP50Ms: 4,
    latencyP95Ms: 9,
    pending: 0,
    ackPending: 0,
  };
}

const busy = route('orders.created', 'deadletter.orders.created.v1');
const idle = route('orders.cancelled', 'deadletter.orders.cancelled.v1');

/** One replica that committed on `orders.created` and dead-lettered unrouted events. */
const replica: ReplicaFigures = {
  version: FIGURES_VERSION,
  replica: 'bridge-1',
  startedAt: new Date(T0).toISOString(),
  publishedAt: new Date(T0 + 2 * INTERVAL).toISOString(),
  intervalMs: INTERVAL,
  series: [point(T0 + INTERVAL, 100), point(T0 + 2 * INTERVAL, 250, 5)],
  routes: {
    'orders.created.v1': { committed: 250, duplicates: 0, deadLettered: 0, retried: 0, latest: { committed: 150, duplicates: 0, deadLettered: 0, retried: 0 } },
    unknown: { committed: 0, duplicates: 0, deadLettered: 5, retried: 0, latest: { committed: 0, duplicates: 0, deadLettered: 5, retried: 0 } },
  },
  circuits: { 'postgres:orders_created_events': 'open' },
};

const counts: DeadLetterCounts = {
  total: 12,
  bySubject: { 'deadletter.orders.created.v1': 4, 'deadletter.unrouted': 5, 'deadletter.orders.cancelled.v1': 3 },
  byReason: { unknown_route: 5, avro_decode_failed: 7 },
};

function sources(overrides: Partial<OverviewSources> = {}): OverviewSources {
  return {
    figures: async () => ({ replicas: [replica], problems: [] }),
    deadLetters: async () => counts,
    routes: async () => [busy, idle],
    unroutedDeadLetterSubject: 'deadletter.unrouted',
    now: () => T0 + 2 * INTERVAL + 100,
    ...overrides,
  };
}

describe('console overview: the figures, the dead-letter stream and the routes on one page', () => {
  test('every route is a row (an idle one at zero), each with its dead-letter depth; the unknown row shows the default subject; circuits by sink', async () => {
    const overview = await buildOverview(sources());
    assert.deepEqual(overview.problems, []);
    assert.deepEqual(
      overview.routes.map((row) => [row.route, row.subject, row.committedTotal, row.deadLetterDepth]),
      [
        ['orders.cancelled.v1', 'orders.cancelled.v1', 0, 3],
        ['orders.created.v1', 'orders.created.v1', 250, 4],
        ['unknown', null, 0, 5],
      ],
    );
    const created = overview.routes.find((row) => row.route === 'orders.created.v1')!;
    assert.equal(created.eventsPerSecond, 30);
    assert.deepEqual(created.circuits, [{ sink: 'postgres:orders_created_events', state: 'open' }]);
    assert.deepEqual(overview.routes.find((row) => row.route === 'orders.cancelled.v1')!.circuits, [
      { sink: 'postgres:orders_cancelled_events', state: 'closed' },
    ]);
    assert.deepEqual(overview.deadLetters, { total: 12, byReason: counts.byReason });
    assert.equal(overview.series.at(-1)!.settledTotal, 255);
  });

  test('a source that fails is a problem line and the rest is still shown; too many letters to count by reason is said', async () => {
    const overview = await buildOverview(
      sources({
        figures: async () => {
          throw new Error('NATS connection refused');
        },
        deadLetters: async () => ({ ...counts, byReason: undefined }),
      }),
    );
    assert.deepEqual(overview.problems, [
      'figures: NATS connection refused',
      '12 dead letters are too many to count by reason on every refresh: the Dead letters page counts them',
    ]);
    assert.deepEqual(overview.series, []);
    assert.deepEqual(
      overview.routes.map((row) => [row.route, row.deadLetterDepth]),
      [
        ['orders.cancelled.v1', 3],
        ['orders.created.v1', 4],
      ],
    );
    const none = await buildOverview(
      sources({
        deadLetters: async () => {
          throw new Error('stream DEADLETTER not found');
        },
        routes: async () => {
          throw new Error('database unreachable');
        },
      }),
    );
    assert.deepEqual(none.problems, ['dead letters: stream DEADLETTER not found', 'routes: database unreachable']);
    assert.deepEqual(none.deadLetters, { total: 0, byReason: {} });
    assert.deepEqual(
      none.routes.map((row) => [row.route, row.deadLetterDepth]),
      [
        ['orders.created.v1', 0],
        ['unknown', 0],
      ],
    );
  });
});
