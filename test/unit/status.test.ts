import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { UsageError } from '../../cli/exitCodes.ts';
import { circuitStatuses, type ReplicaScrapes, routeStatuses, stageStatuses } from '../../cli/status/rates.ts';
import { renderStatus } from '../../cli/status/render.ts';
import { completenessOf, type StatusReport } from '../../cli/status/report.ts';
import { parseScrape, ScrapeFormatError } from '../../cli/status/scrapeText.ts';
import { DEFAULT_METRICS_URL, statusOptions } from '../../cli/statusCommandSpecs.ts';
import { METRICS } from '../../shared/telemetry/index.ts';

const SCOPE = 'otel_scope_name="ingest-bridge",otel_scope_version="0.1.0"';

/** A replica's /metrics as the OpenTelemetry Prometheus exporter writes it (HELP, UNIT, TYPE, scope labels). */
function metricsText(values: {
  received?: Record<string, number>;
  committed?: Record<string, number>;
  duplicates?: Record<string, number>;
  deadLettered?: [string, string, string, number][];
  retried?: [string, string, string, number][];
  circuits?: Record<string, number>;
  lastAnswers?: [string, string, number][];
}): string {
  const counter = (name: string, byRoute: Record<string, number> = {}): string =>
    [
      `# HELP ${name} a counter`,
      `# UNIT ${name} {event}`,
      `# TYPE ${name} counter`,
      ...Object.entries(byRoute).map(([route, n]) => `${name}{route="${route}",${SCOPE}} ${n}`),
    ].join('\n');
  const failures = (name: string, rows: [string, string, string, number][] = []): string =>
    [
      `# HELP ${name} failures`,
      `# TYPE ${name} counter`,
      ...rows.map(([route, stage, reason, n]) => `${name}{route="${route}",stage="${stage}",reason="${reason}",${SCOPE}} ${n}`),
    ].join('\n');
  return [
    '# HELP target_info Target metadata',
    '# TYPE target_info gauge',
    'target_info{service_name="ingest-bridge"} 1',
    counter('ingest_bridge_events_received_total', values.received),
    '# HELP ingest_bridge_stage_invoke_duration_seconds round trip',
    '# UNIT ingest_bridge_stage_invoke_duration_seconds s',
    '# TYPE ingest_bridge_stage_invoke_duration_seconds histogram',
    `ingest_bridge_stage_invoke_duration_seconds_count{stage="validate",outcome="ok",${SCOPE}} 4`,
    `ingest_bridge_stage_invoke_duration_seconds_sum{stage="validate",outcome="ok",${SCOPE}} 0.2`,
    `ingest_bridge_stage_invoke_duration_seconds_bucket{stage="validate",outcome="ok",${SCOPE},le="0.1"} 4`,
    `ingest_bridge_stage_invoke_duration_seconds_bucket{stage="validate",outcome="ok",${SCOPE},le="+Inf"} 4`,
    counter('ingest_bridge_events_committed_total', values.committed),
    counter('ingest_bridge_events_duplicates_total', values.duplicates),
    failures('ingest_bridge_events_dead_lettered_total', values.deadLettered),
    failures('ingest_bridge_events_retried_total', values.retried),
    '# HELP ingest_sink_circuit_state circuit',
    '# UNIT ingest_sink_circuit_state 1',
    '# TYPE ingest_sink_circuit_state gauge',
    ...Object.entries(values.circuits ?? {}).map(([sink, state]) => `ingest_sink_circuit_state{sink="${sink}",${SCOPE}} ${state}`),
    '# HELP ingest_bridge_stage_last_answer_seconds last answer',
    '# TYPE ingest_bridge_stage_last_answer_seconds gauge',
    ...(values.lastAnswers ?? []).map(
      ([stage, outcome, at]) => `ingest_bridge_stage_last_answer_seconds{stage="${stage}",outcome="${outcome}",${SCOPE}} ${at}`,
    ),
    '',
  ].join('\n');
}

function replica(firstAtMs: number, first: string, secondAtMs: number, second: string): ReplicaScrapes {
  return { first: { atMs: firstAtMs, samples: parseScrape(first) }, second: { atMs: secondAtMs, samples: parseScrape(second) } };
}

describe('parseScrape: a /metrics answer to samples', () => {
  test('reads counters and gauges with their labels; histograms are left out', () => {
    const samples = parseScrape(metricsText({ received: { 'a.b.v1': 3 }, circuits: { 'pg:t': 1 } }));
    assert.deepEqual(
      samples.filter((sample) => sample.name !== 'target_info'),
      [
        { name: 'ingest_bridge_events_received_total', labels: { route: 'a.b.v1', otel_scope_name: 'ingest-bridge', otel_scope_version: '0.1.0' }, value: 3 },
        { name: 'ingest_sink_circuit_state', labels: { sink: 'pg:t', otel_scope_name: 'ingest-bridge', otel_scope_version: '0.1.0' }, value: 1 },
      ],
    );
  });

  test('reads what the real OpenTelemetry Prometheus exporter writes, the last line without a newline too', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ readers: [exporter] });
    const meter = provider.getMeter('ingest-bridge');
    meter.createCounter(METRICS.eventsReceived.name, { unit: METRICS.eventsReceived.unit }).add(7, { route: 'x.y.v1' });
    meter.createHistogram('ingest.bridge.batch.size').record(12);
    meter.createGauge(METRICS.circuitState.name, { unit: '1' }).record(1, { sink: 'pg:a "quoted" \\ sink' });
    const { resourceMetrics } = await exporter.collect();
    const text = new PrometheusSerializer().serialize(resourceMetrics).trimEnd();
    await provider.shutdown();
    const byName = new Map(parseScrape(text).map((sample) => [sample.name, sample]));
    assert.equal(byName.get('ingest_bridge_events_received_total')?.value, 7);
    assert.equal(byName.get('ingest_bridge_events_received_total')?.labels.route, 'x.y.v1');
    assert.equal(byName.get('ingest_sink_circuit_state')?.labels.sink, 'pg:a "quoted" \\ sink');
  });

  test('an answer that is not the text format is refused, naming the line', () => {
    assert.throws(
      () => parseScrape('<html><body>Bad gateway</body></html>'),
      (error: unknown) => {
        assert.ok(error instanceof ScrapeFormatError);
        assert.match(error.message, /<html>/);
        return true;
      },
    );
    assert.throws(() => parseScrape('# TYPE a counter\na_total{route="x"} 1\nnot metrics at all\n'), ScrapeFormatError);
  });
});

describe('two scrapes to rates per route, summed over replicas', () => {
  test("each replica's growth over its own interval, per route, summed; errors are dead-lettered + retried", () => {
    const routes = routeStatuses([
      replica(
        0,
        metricsText({ received: { a: 100, b: 10 }, committed: { a: 90 }, duplicates: { a: 5 }, deadLettered: [['a', 'validate', 'avro_decode_failed', 5]] }),
        2000,
        metricsText({
          received: { a: 120, b: 10 },
          committed: { a: 106 },
          duplicates: { a: 7 },
          deadLettered: [['a', 'validate', 'avro_decode_failed', 6]],
          retried: [['a', 'sink-write', 'sink_unavailable', 2]],
        }),
      ),
      replica(500, metricsText({ received: { a: 40 }, committed: { a: 40 } }), 4500, metricsText({ received: { a: 80 }, committed: { a: 80 } })),
    ]);
    assert.deepEqual(routes, [
      {
        route: 'a',
        receivedPerSecond: 10 + 10,
        committedPerSecond: 8 + 10,
        duplicatesPerSecond: 1,
        deadLetteredPerSecond: 0.5,
        retriedPerSecond: 1,
        errorsPerSecond: 1.5,
        committed: 106 + 80,
        duplicates: 7,
      },
      {
        route: 'b',
        receivedPerSecond: 0,
        committedPerSecond: 0,
        duplicatesPerSecond: 0,
        deadLetteredPerSecond: 0,
        retriedPerSecond: 0,
        errorsPerSecond: 0,
        committed: 0,
        duplicates: 0,
      },
    ]);
  });

  test('a replica that restarted between the scrapes counts its new total as growth, not a negative rate', () => {
    const [route] = routeStatuses([replica(0, metricsText({ received: { a: 500 } }), 1000, metricsText({ received: { a: 30 } }))]);
    assert.equal(route?.receivedPerSecond, 30);
  });

  test('no replica answered: no routes', () => {
    assert.deepEqual(routeStatuses([]), []);
  });
});

describe('circuits and stage answers from the latest scrapes', () => {
  test('a circuit open on any replica is open, saying on how many', () => {
    const latest = [parseScrape(metricsText({ circuits: { 'pg:a': 0, 'http:b': 1 } })), parseScrape(metricsText({ circuits: { 'pg:a': 0, 'http:b': 0 } }))];
    assert.deepEqual(circuitStatuses(latest), [
      { sink: 'http:b', state: 'open', openOnReplicas: 1, replicas: 2 },
      { sink: 'pg:a', state: 'closed', openOnReplicas: 0, replicas: 2 },
    ]);
  });

  test("each stage's newest answer by outcome over the replicas, as ISO times", () => {
    const latest = [
      parseScrape(metricsText({ lastAnswers: [['validate', 'ok', 1_700_000_000]] })),
      parseScrape(
        metricsText({
          lastAnswers: [
            ['validate', 'ok', 1_700_000_010],
            ['sink-write', 'failed', 1_700_000_005],
          ],
        }),
      ),
    ];
    assert.deepEqual(stageStatuses(latest), [
      { stage: 'sink-write', lastOkAt: null, lastFailedAt: '2023-11-14T22:13:25.000Z' },
      { stage: 'validate', lastOkAt: '2023-11-14T22:13:30.000Z', lastFailedAt: null },
    ]);
  });
});

const FULL: Omit<StatusReport, 'completeness'> = {
  at: '2026-01-01T00:00:10.000Z',
  intervalSeconds: 5,
  bridges: [
    { url: 'http://10.0.0.1:9464/metrics', reachable: true },
    { url: 'http://10.0.0.2:9464/metrics', reachable: false, error: 'connect ECONNREFUSED 10.0.0.2:9464' },
  ],
  routes: [
    {
      route: 'metrics.cpu.usage.v1',
      receivedPerSecond: 250,
      committedPerSecond: 240.5,
      duplicatesPerSecond: 2,
      deadLetteredPerSecond: 0.5,
      retriedPerSecond: 1,
      errorsPerSecond: 1.5,
      committed: 9000,
      duplicates: 12,
    },
  ],
  circuits: [{ sink: 'http:alerts', state: 'open', openOnReplicas: 1, replicas: 1 }],
  stages: [{ stage: 'validate', lastOkAt: '2026-01-01T00:00:08.000Z', lastFailedAt: null }],
  consumers: { available: true, stream: 'INGEST', consumers: [{ name: 'ingest-bridge', filterSubjects: [], pending: 1200, ackPending: 64, redelivered: 3 }] },
  deadLetters: {
    available: true,
    stream: 'DEADLETTER',
    total: 7,
    bySubject: [{ subject: 'deadletter.metrics.cpu.usage.v1', count: 7 }],
    byReason: [
      { stage: 'validate', reason: 'avro_decode_failed', count: 5 },
      { stage: 'route', reason: 'unknown_route', count: 2 },
    ],
    byRoute: [{ route: 'metrics.cpu.usage.v1', count: 7 }],
    scanned: 7,
    truncated: false,
  },
};

describe('completeness and the screen', () => {
  test('complete when every source answered, partial when some did, failed when none did', () => {
    const allUp = { ...FULL, bridges: [FULL.bridges[0]!] };
    const natsDown = { available: false as const, error: 'cannot connect to NATS' };
    assert.equal(completenessOf(allUp), 'complete');
    assert.equal(completenessOf(FULL), 'partial');
    assert.equal(completenessOf({ ...allUp, consumers: natsDown }), 'partial');
    assert.equal(completenessOf({ ...FULL, bridges: [FULL.bridges[1]!], consumers: natsDown, deadLetters: natsDown }), 'failed');
  });

  test('renders every section: bridges, rates, lag, dead letters by reason/route/subject, circuits, stage answers', () => {
    const screen = renderStatus({ ...FULL, completeness: 'partial' });
    for (const expected of [
      /http:\/\/10\.0\.0\.2:9464\/metrics {2}unreachable: connect ECONNREFUSED/,
      /1 of 2 bridge replica/,
      /metrics\.cpu\.usage\.v1 +250 +241 +2\.0 +1\.5 +0\.5 +1\.0 +9000 +12/,
      /ingest-bridge +\(all\) +1200 +64 +3/,
      /dead letters \(stream DEADLETTER\): 7/,
      /validate +avro_decode_failed +5/,
      /route +unknown_route +2/,
      /deadletter\.metrics\.cpu\.usage\.v1 +7/,
      /http:alerts +open +1 of 1/,
      /validate +2 s ago \(2026-01-01T00:00:08\.000Z\) +never/,
      /partial: .*exit code 3/,
    ]) {
      assert.match(screen, expected);
    }
  });

  test('an unreachable NATS and no bridge still render, each section saying why', () => {
    const down = { available: false as const, error: 'cannot connect to NATS at nats://127.0.0.1:1: ECONNREFUSED' };
    const screen = renderStatus({ ...FULL, bridges: [FULL.bridges[1]!], consumers: down, deadLetters: down, completeness: 'failed' });
    assert.match(screen, /no bridge answered/);
    assert.match(screen, /consumer lag \(JetStream\)\n {2}unavailable: cannot connect to NATS/);
    assert.match(screen, /dead letters\n {2}unavailable: cannot connect to NATS/);
    assert.doesNotMatch(screen, /sink circuits/);
    assert.match(screen, /failed: .*exit code 1/);
  });
});

describe('ingest status options', () => {
  test('defaults: the local bridge, 5 s, 10000 letters, text', () => {
    assert.deepEqual(statusOptions({}), { metricsUrls: [DEFAULT_METRICS_URL], intervalSeconds: 5, scanLimit: 10_000, json: false });
  });

  test('--metrics-url repeats; --interval takes fractions', () => {
    const options = statusOptions({ 'metrics-url': ['http://a:9464/metrics', 'https://b/metrics'], interval: '0.5', json: true });
    assert.deepEqual(options.metricsUrls, ['http://a:9464/metrics', 'https://b/metrics']);
    assert.equal(options.intervalSeconds, 0.5);
    assert.equal(options.json, true);
  });

  for (const interval of ['0', '-1', 'abc', '5s', '301', '1e3', '']) {
    test(`--interval "${interval}" is a usage error`, () => {
      assert.throws(
        () => statusOptions({ interval }),
        (error: unknown) => error instanceof UsageError && /--interval must be/.test(error.message),
      );
    });
  }

  for (const url of ['127.0.0.1:9464/metrics', 'ftp://host/metrics', 'not a url', 'nats://127.0.0.1:4222']) {
    test(`--metrics-url "${url}" is a usage error`, () => {
      assert.throws(
        () => statusOptions({ 'metrics-url': [url] }),
        (error: unknown) => error instanceof UsageError && /--metrics-url must be an http/.test(error.message),
      );
    });
  }

  test('--scan-limit must be a positive integer', () => {
    assert.throws(() => statusOptions({ 'scan-limit': '0' }), UsageError);
  });
});
