import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureNats, stopNats } from '../../infra/local/nats.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { formatRouteKey } from '../../shared/names/index.ts';
import { createProducer, type EventValue, sampleEvent } from '../../shared/producer/index.ts';
import { METRICS, prometheusName, UNKNOWN_ROUTE } from '../../shared/telemetry/index.ts';
import { freePort, waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { promqlSelectors } from '../helpers/promqlSelectors.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { histogramCount, type Scrape, scrape, sumOf } from '../helpers/scrape.ts';

const GOOD = 200;
const NO_ROUTE = 7;
const MALFORMED = 11;
const WHILE_DOWN = 40;
const REPEATS = 15;

type Readiness = { readonly status: number; readonly body: Record<string, unknown> };

/**
 * The bridge's /metrics, /healthz and /readyz on a real plane, with a NATS server of the test's own
 * (so it can be stopped): the counters in a real scrape, read by a real Prometheus text parser,
 * equal what the test counts in the sink table, the dead-letter stream and the bridge's log.
 */
describe('bridge metrics and health endpoints', () => {
  let dataDir: string;
  let natsUrl: string;
  let plane: TestPlane;
  let baseUrl: string;
  const log = (): void => {};
  const schemas = new SchemaCache();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ingest-metrics-'));
    natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const started = await ensureNats(natsUrl, dataDir, log);
    assert.ok(started !== undefined, 'the test runs its own nats-server');
    const httpPort = await freePort();
    baseUrl = `http://127.0.0.1:${httpPort}`;
    plane = await createTestPlane({
      natsUrl,
      bridgeEnv: {
        BRIDGE_HTTP_PORT: String(httpPort),
        BRIDGE_HTTP_HOST: '127.0.0.1',
        // Outlasts a serverless-offline restart, so the events published while it is down are retried, not dead-lettered.
        RETRY_MAX_ATTEMPTS: '40',
        MAX_DELIVER: '50',
        RETRY_MAX_DELAY_MS: '3000',
        // A `bridge stats` line a second: its consumer lag comes from the gauges' cached probe.
        BRIDGE_STATS_INTERVAL_MS: '1000',
      },
    });
  });

  after(async () => {
    try {
      await plane?.close();
    } finally {
      if (dataDir !== undefined) {
        await stopNats(dataDir, log);
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });

  async function readiness(): Promise<Readiness> {
    const response = await fetch(`${baseUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const settled = (): Promise<unknown> =>
    waitFor(
      'the consumer to settle',
      () => plane.pending(),
      (pending) => pending.pending === 0 && pending.ackPending === 0,
      120_000,
    );

  async function publishGood(count: number): Promise<EventValue[]> {
    const producer = createProducer(plane.js);
    const events = Array.from({ length: count }, () => sampleEvent(plane.route));
    await Promise.all(events.map((event) => producer.publish(plane.route, event)));
    return events;
  }

  test('healthz answers while the process lives; readyz once NATS, the consumer and the stages answer; other paths and methods are refused', async () => {
    await waitFor('the bridge to be ready', readiness, (answer) => answer.status === 200, 90_000);
    const health = await fetch(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await readiness();
    assert.deepEqual(ready.body, {
      status: 'ready',
      nats: { ok: true },
      consumer: { ok: true },
      stages: { validate: { ok: true }, route: { ok: true }, 'sink-write': { ok: true } },
    });
    assert.equal((await fetch(`${baseUrl}/nothing-here`)).status, 404);
    const post = await fetch(`${baseUrl}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  test('committed, dead-lettered and retried counters equal the rows, dead letters and retries the test counts', async () => {
    // Good events, and events that dead-letter (no route; not Avro), in the same batches.
    const producer = createProducer(plane.js);
    const type = schemas.get('route', plane.route.schema.definition);
    const bad: Promise<unknown>[] = [];
    for (let i = 0; i < NO_ROUTE; i++) bad.push(producer.publishRaw(`${plane.route.key.type}.v9`, encodeAvro(type, sampleEvent(plane.route))));
    for (let i = 0; i < MALFORMED; i++) bad.push(producer.publishRaw(plane.route.subject, randomBytes(9 + i)));
    const [good] = await Promise.all([publishGood(GOOD), ...bad]);
    await waitFor(
      'rows and dead letters',
      async () => [await plane.countRows(), (await plane.deadLetters()).length],
      ([rows, letters]) => rows === GOOD && letters === NO_ROUTE + MALFORMED,
      120_000,
    );
    // Repeats of landed events without a message id: the stream keeps them, the sink answers duplicate.
    await Promise.all(good.slice(0, REPEATS).map((event) => producer.publishRaw(plane.route.subject, encodeAvro(type, event))));
    await settled();

    // The functions go away while the bridge idles (no invoke is cut off mid-write): what is
    // published now is retried (invoke_failed) until they are back, then committed.
    await plane.offline.kill();
    await publishGood(WHILE_DOWN);
    await waitFor(
      'retries while the functions are down',
      () => plane.bridgeLogLines(),
      (lines) => lines.filter((line) => line.msg === 'retrying').length >= 3,
      60_000,
    );
    const down = await waitFor('readyz to say the stages do not answer', readiness, (answer) => answer.status === 503, 60_000);
    assert.equal(down.body.status, 'not ready');
    assert.deepEqual(down.body.nats, { ok: true });
    const stages = down.body.stages as Record<string, { ok: boolean; detail?: string }>;
    assert.equal(stages.validate?.ok, false, JSON.stringify(down.body));
    assert.match(stages.validate?.detail ?? '', /invoke failed|ECONNREFUSED|connect/i);

    await plane.restartOffline();
    await waitFor('readyz after the functions are back', readiness, (answer) => answer.status === 200, 90_000);
    await waitFor(
      'every good event in the sink',
      () => plane.countRows(),
      (rows) => rows === GOOD + WHILE_DOWN,
      120_000,
    );
    await settled();

    // What the test counted on its own: rows in the sink, letters in the stream, retries in the bridge's log.
    const rows = await plane.countRows();
    const letters = await plane.deadLetters();
    const retries = (await plane.bridgeLogLines()).filter((line) => line.msg === 'retrying');
    assert.equal(rows, GOOD + WHILE_DOWN);
    assert.ok(retries.length > 0);

    const metrics = await scrape(baseUrl);
    assert.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    const name = (key: keyof typeof METRICS): string => prometheusName(METRICS[key]);
    const route = formatRouteKey(plane.route.key);
    assert.equal(sumOf(metrics, name('eventsCommitted')), rows);
    assert.equal(sumOf(metrics, name('eventsCommitted'), { route }), rows, 'committed under the route key');
    assert.equal(sumOf(metrics, name('eventsDuplicate'), { route }), REPEATS);
    assert.equal(sumOf(metrics, name('sinkRecords'), { sink: 'postgres:metric_events', outcome: 'duplicate' }), REPEATS);
    assert.equal(sumOf(metrics, name('eventsDeadLettered')), letters.length);
    for (const reason of ['unknown_route', 'avro_decode_failed']) {
      assert.equal(
        sumOf(metrics, name('eventsDeadLettered'), { stage: 'validate', reason }),
        letters.filter((letter) => letter.reason === reason).length,
        reason,
      );
    }
    // An unknown route's key is never a label: anyone can publish a new one.
    assert.equal(sumOf(metrics, name('eventsDeadLettered'), { route: UNKNOWN_ROUTE, reason: 'unknown_route' }), NO_ROUTE);
    assert.equal(sumOf(metrics, name('eventsRetried')), retries.length);
    assert.equal(sumOf(metrics, name('eventsRetried'), { reason: 'invoke_failed' }), retries.length);
    // Each delivery is received once: the first deliveries plus one per retry.
    assert.equal(sumOf(metrics, name('eventsReceived')), GOOD + REPEATS + WHILE_DOWN + NO_ROUTE + MALFORMED + retries.length);
    assert.equal(sumOf(metrics, name('sinkRecords'), { sink: 'postgres:metric_events', outcome: 'committed' }), rows);
    assert.equal(sumOf(metrics, name('messagesHeld')), 0);
    assert.equal(sumOf(metrics, name('stageRecordsInFlight')), 0);
    assert.equal(histogramCount(metrics, name('publishToCommit')), rows, 'one latency per committed event');
    assert.equal(sumOf(metrics, name('circuitState'), { sink: 'postgres:metric_events' }), 0);
    assert.equal(sumOf(metrics, name('deadLetterDepth')), letters.length);
    assert.ok(histogramCount(metrics, name('stageInvokeDuration'), { stage: 'validate', outcome: 'failed' }) > 0, 'the failed invokes are timed too');

    assertEveryCatalogMetric(metrics);
    assertEveryDashboardMetric(metrics);

    // `ingest status` reads the same real bridge: its route figures and dead-letter depth are these counts.
    const status = await runIngest(['status', '--json', '--interval', '1', '--metrics-url', `${baseUrl}/metrics`], plane.env as Record<string, string>);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as {
      completeness: string;
      routes: { route: string; committed: number; duplicates: number }[];
      deadLetters: { total: number };
      circuits: { sink: string; state: string }[];
    };
    assert.equal(report.completeness, 'complete');
    const routeStatus = report.routes.find((entry) => entry.route === route);
    assert.ok(routeStatus !== undefined, JSON.stringify(report.routes));
    assert.equal(routeStatus.committed, rows);
    assert.equal(routeStatus.duplicates, REPEATS);
    assert.equal(report.deadLetters.total, letters.length);
    assert.deepEqual(
      report.circuits.map((circuit) => [circuit.sink, circuit.state]),
      [['postgres:metric_events', 'closed']],
    );
    // The consumer's gauges are read from the server (cached a few seconds): they come to nothing pending.
    await waitFor(
      'the consumer gauges',
      () => scrape(baseUrl),
      (again) => sumOf(again, name('consumerPending')) === 0 && sumOf(again, name('consumerAckPending')) === 0,
    );
    // The stats line reads the same probe: it reports the same empty consumer, not a probe error.
    const statsLine = await waitFor(
      'a bridge stats line with nothing pending',
      async () => (await plane.bridgeLogLines()).filter((line) => line.msg === 'bridge stats').at(-1),
      (line) => {
        const consumer = line?.consumer as { pending?: number; ackPending?: number } | undefined;
        return consumer?.pending === 0 && consumer.ackPending === 0;
      },
    );
    assert.deepEqual(Object.keys((statsLine?.consumer as object | undefined) ?? {}).sort(), ['ackPending', 'pending', 'redelivered']);
  });

  test('readyz is 503 while NATS is down and 200 once it is back', async () => {
    await stopNats(dataDir, log);
    const down = await waitFor('readyz to say NATS is down', readiness, (answer) => answer.status === 503, 30_000);
    assert.equal((down.body.nats as { ok: boolean }).ok, false, JSON.stringify(down.body));
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200, 'the process still lives');
    await ensureNats(natsUrl, dataDir, log);
    await waitFor('readyz once NATS is back', readiness, (answer) => answer.status === 200, 60_000);
  });
});

/** Every catalog metric appears under its prometheusName, with the Prometheus type its kind maps to. */
function assertEveryCatalogMetric(metrics: Scrape): void {
  const types = { counter: 'COUNTER', updowncounter: 'GAUGE', gauge: 'GAUGE', histogram: 'HISTOGRAM' } as const;
  for (const spec of Object.values(METRICS)) {
    const name = prometheusName(spec);
    const family = metrics.families.get(name);
    assert.ok(family !== undefined, `${name} (${spec.name}) is in the scrape`);
    assert.equal(family.type, types[spec.kind], name);
    assert.ok(family.samples.length > 0, `${name} has samples`);
    if (spec.kind === 'histogram') {
      for (const suffix of ['_bucket{', '_sum{', '_count{']) assert.ok(metrics.text.includes(`\n${name}${suffix}`), `${name}${suffix}`);
    }
  }
}

/** Every series a panel of the Grafana dashboard queries is one this real bridge exports. */
function assertEveryDashboardMetric(metrics: Scrape): void {
  type Panel = { readonly targets?: readonly { readonly expr?: string }[] };
  const dashboard = JSON.parse(readFileSync(new URL('../../infra/observability/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Panel[] };
  const queried = new Set(
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => (target.expr === undefined ? [] : promqlSelectors(target.expr).metrics.map((use) => use.name))),
    ),
  );
  assert.ok(queried.size > 10, `the dashboard queries ${queried.size} series`);
  for (const series of queried)
    assert.ok(metrics.text.includes(`\n${series}{`) || metrics.text.includes(`\n${series} `), `${series} (queried by the dashboard) is in the scrape`);
}
