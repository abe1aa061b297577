import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { FiguresHistory, type FiguresBucket, figuresTtlMs, openFiguresBucket, type ReplicaFigures, summarizeFigures } from '../../shared/figures/index.ts';
import { formatRouteKey } from '../../shared/names/index.ts';
import { createProducer, sampleEvent } from '../../shared/producer/index.ts';
import { METRICS, prometheusName, UNKNOWN_ROUTE } from '../../shared/telemetry/index.ts';
import { freePort, waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { type Scrape, scrape, sumOf } from '../helpers/scrape.ts';

const GOOD = 120;
const NO_ROUTE = 6;
const MORE = 40;
const INTERVAL_MS = 1000;
const name = (key: keyof typeof METRICS): string => prometheusName(METRICS[key]);

/**
 * The bridge's figures in NATS KV, from a real bridge on a real plane: the document each replica
 * puts carries the very counts its /metrics shows, and a bucket that fails never holds up events.
 */
describe('bridge figures in NATS KV', () => {
  let plane: TestPlane;
  let baseUrl: string;
  let figures: FiguresBucket;
  const otherBuckets: string[] = [];
  const schemas = new SchemaCache();

  before(async () => {
    const httpPort = await freePort();
    baseUrl = `http://127.0.0.1:${httpPort}`;
    plane = await createTestPlane({
      // FIGURES_BUCKET is the run's own (runStreamsEnv); the plane deletes it at the end.
      bridgeEnv: { BRIDGE_HTTP_PORT: String(httpPort), BRIDGE_HTTP_HOST: '127.0.0.1', BRIDGE_FIGURES_INTERVAL_MS: String(INTERVAL_MS) },
    });
    figures = openFiguresBucket(plane.nc, { bucket: plane.bridgeConfig.nats.figuresBucket, ttlMs: figuresTtlMs(INTERVAL_MS) });
  });

  after(async () => {
    try {
      for (const bucket of otherBuckets) await plane?.jsm.streams.delete(`KV_${bucket}`).catch(() => false);
    } finally {
      await plane?.close();
    }
  });

  async function publishGood(count: number): Promise<void> {
    const producer = createProducer(plane.js);
    await Promise.all(Array.from({ length: count }, () => producer.publish(plane.route, sampleEvent(plane.route))));
  }

  const rowsReach = (rows: number): Promise<unknown> =>
    waitFor(
      `${rows} rows in the sink`,
      () => plane.countRows(),
      (count) => count === rows,
      120_000,
    );

  /** The bucket's documents and a scrape taken right after: equal once the replica has published since the last event. */
  async function figuresAndMetrics(): Promise<{ replicas: readonly ReplicaFigures[]; problems: readonly string[]; metrics: Scrape }> {
    const read = await figures.readAll();
    return { ...read, metrics: await scrape(baseUrl) };
  }

  test('one document per replica, whose latest counts equal the /metrics counters, in total and per route', async () => {
    const producer = createProducer(plane.js);
    const type = schemas.get('route', plane.route.schema.definition);
    await Promise.all([
      publishGood(GOOD),
      ...Array.from({ length: NO_ROUTE }, () => producer.publishRaw(`${plane.route.key.type}.v9`, encodeAvro(type, sampleEvent(plane.route)))),
    ]);
    await rowsReach(GOOD);
    await waitFor(
      'the dead letters',
      () => plane.deadLetters(),
      (letters) => letters.length === NO_ROUTE,
      60_000,
    );

    // Publishing has stopped: the replica's next put carries the final counts.
    const { replicas, problems, metrics } = await waitFor(
      'figures equal to /metrics',
      figuresAndMetrics,
      (seen) =>
        seen.replicas.length === 1 &&
        seen.replicas[0]!.series.at(-1)?.committed === sumOf(seen.metrics, name('eventsCommitted')) &&
        seen.replicas[0]!.series.at(-1)?.deadLettered === sumOf(seen.metrics, name('eventsDeadLettered')) &&
        sumOf(seen.metrics, name('eventsCommitted')) === GOOD &&
        sumOf(seen.metrics, name('eventsDeadLettered')) === NO_ROUTE,
      60_000,
    );
    assert.deepEqual(problems, []);
    const doc = replicas[0]!;
    const latest = doc.series.at(-1)!;
    assert.equal(latest.committed, GOOD);
    assert.equal(latest.duplicates, sumOf(metrics, name('eventsDuplicate')));
    assert.equal(latest.retried, sumOf(metrics, name('eventsRetried')));
    assert.equal(latest.received, sumOf(metrics, name('eventsReceived')));
    const route = formatRouteKey(plane.route.key);
    assert.deepEqual(Object.keys(doc.routes).sort(), [route, UNKNOWN_ROUTE].sort());
    for (const [label, counts] of Object.entries(doc.routes)) {
      assert.equal(counts.committed, sumOf(metrics, name('eventsCommitted'), { route: label }), `${label} committed`);
      assert.equal(counts.duplicates, sumOf(metrics, name('eventsDuplicate'), { route: label }), `${label} duplicates`);
      assert.equal(counts.deadLettered, sumOf(metrics, name('eventsDeadLettered'), { route: label }), `${label} dead-lettered`);
      assert.equal(counts.retried, sumOf(metrics, name('eventsRetried'), { route: label }), `${label} retried`);
    }
    assert.equal(doc.routes[route]!.committed, GOOD);
    assert.equal(doc.routes[UNKNOWN_ROUTE]!.deadLettered, NO_ROUTE);
    assert.deepEqual(doc.circuits, { 'postgres:metric_events': 'closed' });
    assert.equal(doc.intervalMs, INTERVAL_MS);
    // Some interval committed events: it has their latency; the consumer's lag was read.
    assert.ok(
      doc.series.some((point) => point.latencyP50Ms !== null && point.latencyP95Ms !== null && point.latencyP95Ms >= point.latencyP50Ms),
      JSON.stringify(doc.series),
    );
    assert.ok(latest.pending !== null && latest.ackPending !== null);

    // The console's summary of it: the latest totals are these counts.
    const summary = summarizeFigures(replicas, { now: Date.now(), windowMs: 15 * 60_000 });
    assert.equal(summary.series.at(-1)!.committedTotal, GOOD);
    assert.equal(summary.series.at(-1)!.deadLetteredTotal, NO_ROUTE);
    assert.deepEqual(
      summary.replicas.map((replica) => [replica.replica, replica.stale]),
      [[doc.replica, false]],
    );
    const start = (await plane.bridgeLogLines()).find((line) => line.msg === 'figures publishing');
    assert.deepEqual(
      { bucket: start?.bucket, key: start?.key, intervalMs: start?.intervalMs },
      { bucket: plane.bridgeConfig.nats.figuresBucket, key: `replica.${doc.replica}`, intervalMs: INTERVAL_MS },
    );
  });

  test('a bucket deleted under a running bridge is created again at the next interval, and events land meanwhile', async () => {
    const stream = `KV_${plane.bridgeConfig.nats.figuresBucket}`;
    const before = (await figures.readAll()).replicas[0]!;
    const deletedAt = Date.now();
    assert.equal(await plane.jsm.streams.delete(stream), true);
    await publishGood(MORE);
    await rowsReach(GOOD + MORE);
    const back = await waitFor(
      'the figures back in a new bucket',
      () => figures.readAll(),
      (read) => read.replicas.length === 1 && read.replicas[0]!.series.at(-1)!.committed === GOOD + MORE,
      60_000,
    );
    assert.equal(back.replicas[0]!.replica, before.replica);
    // A new bucket, not the old one seen late, with the bucket's max age.
    const info = await plane.jsm.streams.info(stream);
    assert.ok(Date.parse(info.created) >= deletedAt - 1000, `${info.created} after ${new Date(deletedAt).toISOString()}`);
    assert.equal(info.config.max_age, figuresTtlMs(INTERVAL_MS) * 1_000_000);
    assert.equal(info.config.max_msgs_per_subject, 1);
  });

  test('a bucket that refuses every document does not hold up events; the bridge warns, naming the replica and the bucket', async () => {
    const refusing = `FIGURES_REFUSING_${plane.runId}`;
    otherBuckets.push(refusing);
    // Every document is larger than 16 bytes: the server refuses each put (a real fault, not a stand-in).
    await new Kvm(plane.nc).create(refusing, { history: 1, maxValueSize: 16 });
    const rowsBefore = await plane.countRows();
    await plane.stopBridge();
    plane.startBridge({ FIGURES_BUCKET: refusing });
    await publishGood(MORE);
    await rowsReach(rowsBefore + MORE);
    const warning = await waitFor(
      'the figures warning',
      async () => (await plane.bridgeLogLines()).find((line) => line.msg === 'figures not published; trying again next interval'),
      (line) => line !== undefined,
      30_000,
    );
    assert.equal(warning?.bucket, refusing);
    assert.match(String(warning?.replica), /^[A-Za-z0-9_-]+$/);
    const read = await openFiguresBucket(plane.nc, { bucket: refusing, ttlMs: figuresTtlMs(INTERVAL_MS) }).readAll();
    assert.deepEqual(read, { replicas: [], problems: [] });
    const stopped = await plane.stopBridge();
    assert.equal(stopped.committed, MORE);
  });

  test('reading: a missing bucket is a problem, not a rejection, and creates nothing; a value that is not a document is skipped and named', async () => {
    const missing = `FIGURES_MISSING_${plane.runId}`;
    const none = await openFiguresBucket(plane.nc, { bucket: missing, ttlMs: figuresTtlMs(INTERVAL_MS) }).readAll();
    assert.deepEqual(none.replicas, []);
    assert.equal(none.problems.length, 1);
    assert.match(none.problems[0]!, new RegExp(`figures bucket ${missing} does not exist`));
    await assert.rejects(plane.jsm.streams.info(`KV_${missing}`), /stream not found/);

    const mixed = `FIGURES_MIXED_${plane.runId}`;
    otherBuckets.push(mixed);
    const bucket = openFiguresBucket(plane.nc, { bucket: mixed, ttlMs: figuresTtlMs(INTERVAL_MS) });
    const now = Date.now();
    const good = new FiguresHistory({ replica: 'good-1-aa', startedAtMs: now - 1000, intervalMs: INTERVAL_MS }).record({
      point: { t: now, committed: 3, duplicates: 0, deadLettered: 0, retried: 0, received: 3, latencyP50Ms: 2, latencyP95Ms: 5, pending: 0, ackPending: 0 },
      routes: new Map(),
      circuits: new Map(),
    });
    await bucket.put(good);
    const kv = await new Kvm(plane.nc).open(mixed);
    await kv.put('replica.garbled-1-bb', '{"version": 1, "replica": "garbled-1-bb"');
    await kv.put('replica.other-1-cc', JSON.stringify({ ...good, replica: 'someone-else' }));
    await kv.put('unrelated', 'not a replica key: not listed');
    const read = await bucket.readAll();
    assert.deepEqual(read.replicas, [good]);
    assert.deepEqual(read.problems, [
      `figures key replica.garbled-1-bb in ${mixed} skipped: not JSON`,
      `figures key replica.other-1-cc in ${mixed} skipped: it names replica someone-else`,
    ]);
  });
});
