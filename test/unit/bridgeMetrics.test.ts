import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsumerInfo } from '@nats-io/jetstream';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { CachedProbe } from '../../bridge/cachedProbe.ts';
import { measureInvoker } from '../../bridge/measuredInvoker.ts';
import { BridgeInstruments } from '../../bridge/metrics.ts';
import { observeServerGauges } from '../../bridge/observedGauges.ts';
import type { Outcome } from '../../bridge/pipeline.ts';
import { routeLabel } from '../../bridge/routeLabel.ts';
import type { StageInvoker } from '../../bridge/stageInvoker.ts';
import { InvokeError } from '../../bridge/errors.ts';
import { createLogger, type Logger } from '../../shared/logging/index.ts';
import { createMetrics, METRICS, prometheusName, UNKNOWN_ROUTE } from '../../shared/telemetry/index.ts';

const TELEMETRY = { disabled: false, serviceName: 'ingest-bridge-test', tracesEndpoint: undefined, metricsEndpoint: undefined, metricExportIntervalMs: 60_000 };
const quiet = createLogger('error');
const failure = { stage: 'validate', reason: 'avro_decode_failed', message: 'x', retryable: false } as const;
const key = { type: 'metrics.cpu.usage', version: 'v1' };

function invoker(fail: boolean): StageInvoker {
  const answer = async <T>(value: T): Promise<T> => {
    if (fail) throw new InvokeError('validate', 'ingest-validate', 'invoke failed: connect ECONNREFUSED');
    return value;
  };
  return {
    validate: () => answer({ results: [] }),
    route: () => answer({ results: [] }),
    sinkWrite: () => answer({ results: [], circuit: 'closed' as const }),
    checkDelivery: () => answer({ results: [] }),
  };
}

describe('metric names in a scrape', () => {
  test('every catalog metric is served under its prometheusName, histograms as _bucket, _sum and _count', async () => {
    const metrics = createMetrics(TELEMETRY, quiet);
    const instruments = new BridgeInstruments(metrics.meter);
    const route = { route: 'metrics.cpu.usage.v1' };
    instruments.received.add(3, route);
    instruments.committed.add(1, route);
    instruments.duplicates.add(1, route);
    instruments.deadLettered.add(1, { ...route, stage: 'validate', reason: 'avro_decode_failed' });
    instruments.retried.add(1, { ...route, stage: 'sink-write', reason: 'sink_unavailable' });
    instruments.sinkRecords.add(1, { sink: 'postgres:t', outcome: 'committed' });
    instruments.held.add(2);
    instruments.batchSize.record(3);
    instruments.publishToCommit.record(0.2);
    instruments.circuit('postgres:t', 'open');
    const measured = measureInvoker(invoker(false), instruments);
    await measured.validate({ records: [] });
    observeServerGauges({
      meter: metrics.meter,
      stream: 'INGEST',
      consumerName: 'ingest-bridge',
      consumer: new CachedProbe(async () => ({ num_pending: 4, num_ack_pending: 2, num_redelivered: 1 }) as ConsumerInfo, 1000),
      deadLetterSubjects: new CachedProbe(async () => ({ 'deadletter.metrics': 5 }), 1000),
      logger: quiet,
    });

    const text = await metrics.scrape();
    const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
    for (const spec of Object.values(METRICS)) {
      const name = prometheusName(spec);
      assert.ok(families.has(name), `${name} in:\n${text}`);
      if (spec.kind === 'histogram') for (const suffix of ['_bucket{', '_sum{', '_count{']) assert.ok(text.includes(`\n${name}${suffix}`), `${name}${suffix}`);
    }
    assert.ok(families.has('ingest_bridge_stage_invoke_duration_seconds'), 'the unit is a suffix');
    assert.ok(!families.has('ingest_bridge_stage_invoke_duration'), 'the exporter-made name is gone');
    const circuit = families.get(prometheusName(METRICS.circuitState))!.metrics[0]!;
    assert.equal('value' in circuit && circuit.value, '1');
    assert.equal(circuit.labels?.sink, 'postgres:t');
    await metrics.shutdown();
  });

  test('OTEL_SDK_DISABLED: the instruments are no-ops and a scrape is empty', async () => {
    const metrics = createMetrics({ ...TELEMETRY, disabled: true }, quiet);
    new BridgeInstruments(metrics.meter).received.add(1, { route: 'a.v1' });
    assert.equal(await metrics.scrape(), '');
  });

  test('a failing consumer probe reports nothing for its gauges, and the scrape still answers', async () => {
    const metrics = createMetrics(TELEMETRY, quiet);
    observeServerGauges({
      meter: metrics.meter,
      stream: 'INGEST',
      consumerName: 'ingest-bridge',
      consumer: new CachedProbe<ConsumerInfo>(async () => Promise.reject(new Error('consumer not found')), 1000),
      deadLetterSubjects: new CachedProbe(async () => ({ 'deadletter.metrics': 5 }), 1000),
      logger: quiet,
    });
    const text = await metrics.scrape();
    assert.doesNotMatch(text, /^ingest_consumer_pending\{/m);
    assert.match(text, /^ingest_dead_letter_depth\{.*subject="deadletter.metrics".*\} 5$/m);
    await metrics.shutdown();
  });
});

describe('route label', () => {
  test('the route key only when a stage resolved the route; unknown otherwise', () => {
    const committed: Outcome = { kind: 'committed', duplicate: false, eventId: 'e', routeKey: key };
    const known: Outcome = { kind: 'failed', failure, deadLetterSubject: 'dlq.cpu', eventId: null, routeKey: key, retryBudget: undefined };
    const unrouted: Outcome = {
      kind: 'failed',
      failure,
      deadLetterSubject: undefined,
      eventId: null,
      routeKey: { type: 'anything', version: 'v9' },
      retryBudget: undefined,
    };
    const unparsed: Outcome = { kind: 'failed', failure, deadLetterSubject: undefined, eventId: null, routeKey: null, retryBudget: undefined };
    assert.equal(routeLabel(committed), 'metrics.cpu.usage.v1');
    assert.equal(routeLabel(known), 'metrics.cpu.usage.v1');
    assert.equal(routeLabel(unrouted), UNKNOWN_ROUTE);
    assert.equal(routeLabel(unparsed), UNKNOWN_ROUTE);
  });
});

describe('measured invoker', () => {
  test('keeps each stage last answer, ok or failed, and counts records in flight back to zero', async () => {
    const metrics = createMetrics(TELEMETRY, quiet);
    const instruments = new BridgeInstruments(metrics.meter);
    let now = 1000;
    const ok = measureInvoker(invoker(false), instruments, () => now);
    assert.equal(ok.last('validate'), undefined);
    await ok.validate({ records: [{ id: '1', subject: 's', payload: '', publishedAtMs: 0 }] });
    assert.deepEqual(ok.last('validate'), { ok: true, atMs: 1000 });
    now = 2000;
    const failing = measureInvoker(invoker(true), instruments, () => now);
    await assert.rejects(failing.route({ records: [] }), InvokeError);
    assert.deepEqual(failing.last('route'), { ok: false, atMs: 2000 });
    const text = await metrics.scrape();
    assert.match(text, /^ingest_bridge_stage_records_in_flight\{.*stage="validate".*\} 0$/m);
    assert.match(text, /^ingest_bridge_stage_last_answer_seconds\{.*stage="route",outcome="failed".*\} 2$/m);
    await metrics.shutdown();
  });
});

describe('cached probe', () => {
  test('asks once per TTL, shares a probe under way, and keeps a failure as long as an answer', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const probe = new CachedProbe(
      async () => {
        calls++;
        if (fail) throw new Error('down');
        return calls;
      },
      100,
      () => now,
    );
    const [a, b] = await Promise.all([probe.get(), probe.get()]);
    assert.deepEqual([a, b, calls], [1, 1, 1]);
    now = 99;
    assert.equal(await probe.get(), 1);
    now = 100;
    fail = true;
    await assert.rejects(probe.get(), /down/);
    fail = false;
    await assert.rejects(probe.get(), /down/, 'the failure is kept for the TTL');
    now = 200;
    assert.equal(await probe.get(), 3);
  });
});

describe('OTLP export', () => {
  test('a collector that is not there costs a warning, never an error in the caller', async () => {
    const { createServer } = await import('node:net');
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (message) => warnings.push(message),
      error: () => {},
      child: () => logger,
    };
    const metrics = createMetrics({ ...TELEMETRY, metricsEndpoint: `http://127.0.0.1:${port}/v1/metrics`, metricExportIntervalMs: 1000 }, logger);
    new BridgeInstruments(metrics.meter).received.add(1, { route: 'a.v1' });
    assert.match(await metrics.scrape(), /ingest_bridge_events_received_total/);
    // Shutdown runs the last export, which fails; it resolves all the same.
    await metrics.shutdown();
    assert.ok(warnings.includes('metrics export failed'), JSON.stringify(warnings));
  });
});
