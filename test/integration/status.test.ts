import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { StatusReport } from '../../cli/status/report.ts';
import { type BridgeConfig, loadBridgeConfig } from '../../shared/config/index.ts';
import { buildDeadLetter, type DeadLetters, openDeadLetters } from '../../shared/deadletters/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';
import { routeKeyFromSubject } from '../../shared/names/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { freePort, runStreamsEnv, uniqueRunId, waitFor } from '../helpers/names.ts';

const PUBLISHED = 20;
/** Messages the test takes from the consumer, naks once, takes again and holds: redelivered and ack pending. */
const HELD = 2;

/**
 * A stand-in for a bridge replica's `/metrics`: the Prometheus text format the bridge's exporter
 * writes (the OpenTelemetry exporter's HELP/TYPE lines and scope labels), with counters that grow by
 * `step` on every scrape. It stands in only for the scrape format: the integrator checks `ingest
 * status` against a real bridge once the metrics are merged.
 */
function metricsStandIn(route: string, step: number): Server {
  let scrapes = 0;
  const scope = 'otel_scope_name="ingest-bridge"';
  return createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const n = scrapes++;
    const nowSeconds = Math.floor(Date.now() / 1000);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(
      [
        '# HELP ingest_bridge_events_received_total Messages the bridge pulled.',
        '# TYPE ingest_bridge_events_received_total counter',
        `ingest_bridge_events_received_total{route="${route}",${scope}} ${1000 + n * step}`,
        '# HELP ingest_bridge_events_committed_total Events committed.',
        '# TYPE ingest_bridge_events_committed_total counter',
        `ingest_bridge_events_committed_total{route="${route}",${scope}} ${900 + n * step}`,
        '# HELP ingest_bridge_events_dead_lettered_total Dead letters.',
        '# TYPE ingest_bridge_events_dead_lettered_total counter',
        `ingest_bridge_events_dead_lettered_total{route="${route}",stage="validate",reason="avro_decode_failed",${scope}} 7`,
        '# HELP ingest_sink_circuit_state Circuit.',
        '# TYPE ingest_sink_circuit_state gauge',
        `ingest_sink_circuit_state{sink="postgres:metric_events",${scope}} 0`,
        `ingest_sink_circuit_state{sink="http:alerts",${scope}} 1`,
        '# HELP ingest_bridge_stage_last_answer_seconds Last answer.',
        '# TYPE ingest_bridge_stage_last_answer_seconds gauge',
        `ingest_bridge_stage_last_answer_seconds{stage="validate",outcome="ok",${scope}} ${nowSeconds}`,
        `ingest_bridge_stage_last_answer_seconds{stage="sink-write",outcome="failed",${scope}} ${nowSeconds - 30}`,
        '',
      ].join('\n'),
    );
  });
}

/** Everything an async iterable yields (Array.fromAsync is not in Node 20). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('ingest status, run as a child process (real NATS; a /metrics stand-in for the bridge)', () => {
  const runId = uniqueRunId();
  const routeSubject = `${runId}.cpu.usage.v1`;
  const otherSubject = `${runId}.mem.usage.v2`;
  let env: Record<string, string>;
  let config: BridgeConfig;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let deadLetters: DeadLetters;
  const held: JsMsg[] = [];
  /** The consumer's counts as JetStream gave them before the commands ran. */
  let lag: { pending: number; ackPending: number; redelivered: number };
  let standIn: Server;
  let standInUrl: string;
  /** A port nothing listens on: a bridge replica that is down. */
  let deadUrl: string;

  /** A dead letter as the bridge stores it, for an original at `seq` on `subject`. */
  async function storeLetter(subject: string, seq: number, failure: RecordFailure, routed: boolean): Promise<void> {
    const letter = buildDeadLetter(
      { subject, headers: {}, data: Buffer.from(`payload ${seq}`), stream: config.nats.ingest.name, seq, time: new Date(), deliveries: 1 },
      failure,
      { routeKey: routed ? routeKeyFromSubject(subject, failure.stage) : null, eventId: null },
    );
    await deadLetters.writer.publish(routed ? `${runId}dlq.${subject.split('.').slice(1).join('.')}` : config.nats.defaultDeadLetterSubject, letter);
  }

  before(async () => {
    env = { ...runStreamsEnv(runId) };
    config = loadBridgeConfig(env);
    env.NATS_URL = config.nats.url;
    nc = await connectNats(config.nats.url, `ingest-status-test-${runId}`, config.nats.security);
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
    deadLetters = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });

    const decode: RecordFailure = { stage: 'validate', reason: 'avro_decode_failed', message: 'not Avro', retryable: false };
    const unknown: RecordFailure = { stage: 'route', reason: 'unknown_route', message: 'no route', retryable: false };
    for (const seq of [1, 2, 3]) await storeLetter(routeSubject, seq, decode, true);
    await storeLetter(otherSubject, 4, decode, true);
    await storeLetter(`${runId}.nothing.v9`, 5, unknown, false);

    // Lag: PUBLISHED messages; HELD of them delivered, nak'd, delivered again and held unacknowledged.
    // A nak is not acknowledged by the server, so a fetch may still get fresh messages first: those
    // are nak'd too and wait for their redelivery, which nothing fetches. The counts then stay put.
    for (let i = 0; i < PUBLISHED; i++) await js.publish(routeSubject, Buffer.from(`event ${i}`));
    const consumer = await js.consumers.get(config.nats.ingest.name, config.nats.consumer);
    for (const msg of await collect(await consumer.fetch({ max_messages: HELD, expires: 5000 }))) msg.nak();
    await waitFor(
      "the nak'd messages to come back",
      async () => {
        for (const msg of await collect(await consumer.fetch({ max_messages: 1, expires: 1000 }))) {
          if (msg.redelivered) held.push(msg);
          else msg.nak();
        }
        return held.length;
      },
      (count) => count === HELD,
    );
    lag = await waitFor(
      'the consumer to count them',
      () => jsm.consumers.info(config.nats.ingest.name, config.nats.consumer),
      (info) => info.num_redelivered === HELD,
    ).then((info) => ({ pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered }));
    assert.ok(lag.pending > 0 && lag.ackPending >= HELD, JSON.stringify(lag));

    standIn = metricsStandIn(routeSubject.split('.').slice(1).join('.'), 10);
    standInUrl = await listen(standIn);
    deadUrl = `http://127.0.0.1:${await freePort()}/metrics`;
  });

  after(async () => {
    standIn?.close();
    for (const msg of held) msg.ack();
    for (const stream of [
      config.nats.ingest.name,
      config.nats.deadLetter.name,
      advisoryTopology(config.nats).stream,
      `OBJ_${config.nats.deadLetter.payloadBucket}`,
    ]) {
      await jsm?.streams.delete(stream).catch(() => false);
    }
    await nc?.close().catch(() => {});
  });

  async function statusJson(
    args: readonly string[],
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number | null; report: StatusReport; stderr: string }> {
    const result = await runIngest(['status', '--json', '--interval', '0.5', ...args], { ...env, ...extraEnv });
    return { code: result.code, report: JSON.parse(result.stdout) as StatusReport, stderr: result.stderr };
  }

  test('with no bridge listening: lag and dead letters from JetStream, the bridge shown unreachable, exit 3 (partial)', async () => {
    const { code, report, stderr } = await statusJson(['--metrics-url', deadUrl]);
    assert.equal(code, 3, stderr);
    assert.equal(report.completeness, 'partial');
    assert.equal(report.bridges.length, 1);
    const [bridge] = report.bridges;
    assert.equal(bridge?.url, deadUrl);
    assert.equal(bridge?.reachable, false);
    assert.match(bridge?.reachable === false ? bridge.error : '', /ECONNREFUSED/);
    assert.deepEqual(report.routes, []);

    assert.deepEqual(report.consumers, {
      available: true,
      stream: config.nats.ingest.name,
      consumers: [{ name: config.nats.consumer, filterSubjects: [], ...lag }],
    });
    assert.ok(report.deadLetters.available);
    assert.equal(report.deadLetters.total, 5);
    assert.deepEqual(report.deadLetters.byReason, [
      { stage: 'validate', reason: 'avro_decode_failed', count: 4 },
      { stage: 'route', reason: 'unknown_route', count: 1 },
    ]);
    // A route key is spelled type.version in letters: for these subjects, the subject itself.
    assert.deepEqual(report.deadLetters.byRoute, [
      { route: routeSubject, count: 3 },
      { route: otherSubject, count: 1 },
      { route: 'unknown', count: 1 },
    ]);
    assert.deepEqual(
      report.deadLetters.bySubject,
      [
        { subject: `${runId}dlq.cpu.usage.v1`, count: 3 },
        { subject: `${runId}dlq.mem.usage.v2`, count: 1 },
        { subject: config.nats.defaultDeadLetterSubject, count: 1 },
      ].sort((a, b) => (a.subject < b.subject ? -1 : 1)),
    );
    assert.equal(report.deadLetters.truncated, false);
  });

  test('the text screen says the same, the unreachable bridge included', async () => {
    const result = await runIngest(['status', '--interval', '0.5', '--metrics-url', deadUrl], env);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, new RegExp(`${deadUrl.replace(/[.]/g, '\\.')} {2}unreachable: .*ECONNREFUSED`));
    assert.match(result.stdout, new RegExp(`${config.nats.consumer} +\\(all\\) +${lag.pending} +${lag.ackPending} +${lag.redelivered}`));
    assert.match(result.stdout, /validate +avro_decode_failed +4/);
    assert.match(result.stdout, /partial: .*exit code 3/);
  });

  test('replicas that answer are summed into rates per route; circuits and last answers come from them; one down still makes it partial', async () => {
    const second = metricsStandIn(routeSubject.split('.').slice(1).join('.'), 20);
    const secondUrl = await listen(second);
    try {
      const { code, report, stderr } = await statusJson(['--metrics-url', standInUrl, '--metrics-url', secondUrl, '--metrics-url', deadUrl]);
      assert.equal(code, 3, stderr);
      assert.deepEqual(
        report.bridges.map((bridge) => bridge.reachable),
        [true, true, false],
      );
      const [route] = report.routes;
      assert.equal(report.routes.length, 1);
      // 10 and 20 more per scrape, scrapes at least 0.5 s apart: a rate above 0, at most (10 + 20) / 0.5.
      assert.ok(route!.receivedPerSecond > 0 && route!.receivedPerSecond <= 60, String(route!.receivedPerSecond));
      assert.equal(route!.deadLetteredPerSecond, 0);
      assert.deepEqual(report.circuits, [
        { sink: 'http:alerts', state: 'open', openOnReplicas: 2, replicas: 2 },
        { sink: 'postgres:metric_events', state: 'closed', openOnReplicas: 0, replicas: 2 },
      ]);
      assert.deepEqual(
        report.stages.map((stage) => [stage.stage, stage.lastOkAt !== null, stage.lastFailedAt !== null]),
        [
          ['sink-write', false, true],
          ['validate', true, false],
        ],
      );
    } finally {
      second.close();
    }
  });

  test('a replica answering something other than its metrics is shown unreachable, saying what it answered', async () => {
    const html = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>login</body></html>');
    });
    const htmlUrl = await listen(html);
    try {
      const { code, report } = await statusJson(['--metrics-url', standInUrl.replace('/metrics', '/nope'), '--metrics-url', htmlUrl]);
      assert.equal(code, 3);
      assert.deepEqual(
        report.bridges.map((bridge) => (bridge.reachable ? 'ok' : bridge.error)),
        ['HTTP 404 Not Found', 'not the Prometheus text format: "<html><body>login</body></html>"'],
      );
    } finally {
      html.close();
    }
  });

  test('every source answering is exit 0', async () => {
    const { code, report, stderr } = await statusJson(['--metrics-url', standInUrl]);
    assert.equal(code, 0, stderr);
    assert.equal(report.completeness, 'complete');
  });

  test('NATS unreachable and no bridge: each section says why, exit 1', async () => {
    const { code, report } = await statusJson(['--metrics-url', deadUrl], { NATS_URL: `nats://127.0.0.1:${await freePort()}` });
    assert.equal(code, 1);
    assert.equal(report.completeness, 'failed');
    assert.equal(report.consumers.available, false);
    assert.match(report.consumers.available ? '' : report.consumers.error, /cannot connect to NATS/);
    assert.equal(report.deadLetters.available, false);
  });

  describe('bad input exits 2 with the usage, touching no service', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /Unknown option '--bogus'\nusage: ingest status /],
      [['--interval', '0'], /--interval must be a number of seconds above 0 and at most 300, got "0"\nusage: ingest status /],
      [['--interval', 'soon'], /--interval must be a number of seconds above 0/],
      [['--metrics-url', 'ftp://host/metrics'], /--metrics-url must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/host\/metrics"/],
      [['--metrics-url', '127.0.0.1:9464'], /--metrics-url must be an http/],
      [['--scan-limit', '-3'], /Option '--scan-limit|--scan-limit must be a positive integer/],
      [['extra'], /unexpected argument "extra"/],
    ];
    for (const [args, message] of cases) {
      test(`ingest status ${args.join(' ')}`, async () => {
        const result = await runIngest(['status', ...args], { NATS_URL: 'nats://127.0.0.1:1' });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
      });
    }

    test('ingest status --help', async () => {
      const result = await runIngest(['status', '--help'], { NATS_URL: 'nats://127.0.0.1:1' });
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^usage: ingest status \[--metrics-url URL\]\.\.\. \[--interval S\] \[--scan-limit N\] \[--json\]/);
      assert.match(result.stdout, /\n {2}3 {2}partial/);
    });
  });
});
