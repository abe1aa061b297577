import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import type { TelemetryConfig } from '../../shared/config/index.ts';
import { createProducer, type Producer, sampleEvent } from '../../shared/producer/index.ts';
import type { ReplayReport } from '../../shared/stages/index.ts';
import { startTracing, type Tracing, withTraceHeaders } from '../../shared/telemetry/index.ts';
import { freePort, waitFor } from '../helpers/names.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlpReceiver.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const ERROR = 2;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** The one span of `name` in a trace (a test event's trace has each of these once). */
function only(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `one "${name}" span in ${JSON.stringify(spans.map((span) => span.name))}`);
  return found[0]!;
}

function assertChild(child: ReceivedSpan, parent: ReceivedSpan): void {
  assert.equal(child.traceId, parent.traceId, `${child.name} is in ${parent.name}'s trace`);
  assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of ${parent.name}`);
}

describe('traces: one trace id from the producer through the bridge, the functions and the sink or dead letter', () => {
  let receiver: OtlpReceiver;
  let plane: TestPlane;
  let tracing: Tracing;
  let producer: Producer;
  let lambda: LambdaClient;

  /** Publishes under a root span of the test's own, as an instrumented producer application would; returns its trace id. */
  async function publishTraced(publish: () => Promise<unknown>): Promise<string> {
    const traceId = await tracing.tracer.startActiveSpan('test.produce', async (root) => {
      try {
        await publish();
        return root.spanContext().traceId;
      } finally {
        root.end();
      }
    });
    await tracing.flush();
    return traceId;
  }

  /** Waits until the receiver holds spans of every name in `names` for the trace (the bridge exports on a timer). */
  function traceWith(traceId: string, names: readonly string[]): Promise<readonly ReceivedSpan[]> {
    return waitFor(
      `spans ${names.join(', ')} of trace ${traceId}`,
      async () => receiver.trace(traceId),
      (spans) => names.every((name) => spans.some((span) => span.name === name)),
      60_000,
    );
  }

  async function replay(request: Record<string, unknown>): Promise<ReplayReport> {
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'ingest-test-dlq-replay', Payload: Buffer.from(JSON.stringify(request)) }));
    const body = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    assert.equal(output.FunctionError, undefined, body);
    return JSON.parse(body) as ReplayReport;
  }

  before(async () => {
    receiver = await startOtlpReceiver();
    // The plane's environment goes to the bridge and to serverless-offline's functions alike.
    plane = await createTestPlane({ bridgeEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    // The test is the producer application: its own tracing, exporting to the same receiver.
    const producerTelemetry: TelemetryConfig = {
      disabled: false,
      serviceName: 'traces-test-producer',
      tracesEndpoint: `${receiver.url}/v1/traces`,
      metricsEndpoint: undefined,
      metricExportIntervalMs: 60_000,
    };
    // An application publishing inside its own spans: it makes its spans active (AsyncLocalStorage).
    tracing = startTracing(producerTelemetry, { activeContext: true });
    producer = createProducer(plane.js);
    lambda = new LambdaClient({ region: 'us-east-1', endpoint: plane.env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  after(async () => {
    lambda?.destroy();
    await tracing?.shutdown();
    await plane?.close();
    await receiver?.close();
  });

  test('a committed event: producer → bridge batch → validate, route and sink-write invokes → their handler spans → the sink write', async () => {
    const event = sampleEvent(plane.route);
    const traceId = await publishTraced(() => producer.publish(plane.route, event));
    await waitFor(
      'the event as a row',
      async () => (await plane.sql<{ n: number }[]>`select count(*)::int as n from metric_events where event_id = ${event.id}`)[0]!.n,
      (n) => n === 1,
    );

    const spans = await traceWith(traceId, [
      'ingest.publish',
      'ingest.bridge.batch',
      'ingest.invoke validate',
      'ingest.validate',
      'ingest.invoke route',
      'ingest.route',
      'ingest.invoke sink-write',
      'ingest.sink-write',
      'ingest.sink.write',
    ]);
    const root = only(spans, 'test.produce');
    const publish = only(spans, 'ingest.publish');
    const batch = only(spans, 'ingest.bridge.batch');
    assertChild(publish, root);
    assert.equal(publish.kind, PRODUCER);
    assert.equal(publish.attributes['messaging.system'], 'nats');
    assert.equal(publish.attributes['messaging.destination.name'], plane.route.subject);

    // The batch rule: every message of the batch is of this one trace, so the batch joins it.
    assertChild(batch, publish);
    assert.equal(batch.kind, CONSUMER);
    assert.equal(batch.service, 'ingest-bridge');
    assert.deepEqual(batch.links, [{ traceId, spanId: publish.spanId }]);
    assert.equal(batch.attributes['messaging.system'], 'nats');
    assert.equal(batch.attributes['messaging.batch.message_count'], 1);
    assert.equal(batch.attributes['messaging.destination.name'], plane.route.subject);
    assert.equal(batch.attributes['ingest.route'], plane.route.subject);

    for (const stage of ['validate', 'route', 'sink-write']) {
      const invoke = only(spans, `ingest.invoke ${stage}`);
      const handler = only(spans, `ingest.${stage}`);
      assertChild(invoke, batch);
      assert.equal(invoke.kind, CLIENT);
      assert.equal(invoke.attributes['ingest.stage'], stage);
      // The context crossed the invoke: the function's span continues the bridge's invoke span.
      assertChild(handler, invoke);
      assert.equal(handler.kind, SERVER);
      assert.notEqual(handler.service, 'ingest-bridge');
    }
    const write = only(spans, 'ingest.sink.write');
    assertChild(write, only(spans, 'ingest.sink-write'));
    assert.equal(write.attributes['ingest.sink.kind'], 'postgres');
    assert.equal(write.attributes['messaging.batch.message_count'], 1);
    assert.deepEqual(
      spans.filter((span) => span.status.code === ERROR).map((span) => span.name),
      [],
      'nothing failed',
    );
    assert.equal(receiver.malformed, 0);
  });

  test('a dead-lettered event: its trace ends in the dead-letter span, child of the message, linked to the batch, with the reason', async () => {
    const traceId = await publishTraced(() => producer.publishRaw(plane.route.subject, randomBytes(16), `undecodable-${plane.runId}`));
    const letters = await waitFor(
      'the dead letter',
      () => plane.deadLetters(),
      (list) => list.length === 1,
    );
    const letter = letters[0]!;
    assert.equal(letter.traceparent?.split('-')[1], traceId, 'the letter records the trace');

    const spans = await traceWith(traceId, ['ingest.publish', 'ingest.bridge.batch', 'ingest.invoke validate', 'ingest.validate', 'ingest.dead_letter']);
    const publish = only(spans, 'ingest.publish');
    const batch = only(spans, 'ingest.bridge.batch');
    const deadLetter = only(spans, 'ingest.dead_letter');
    assertChild(deadLetter, publish);
    assert.equal(deadLetter.kind, PRODUCER);
    assert.deepEqual(deadLetter.links, [{ traceId, spanId: batch.spanId }]);
    assert.equal(letter.traceparent?.split('-')[2], deadLetter.spanId, 'the letter names the dead-letter span');
    assert.equal(deadLetter.status.code, ERROR);
    assert.match(deadLetter.status.message, new RegExp(letter.message.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(deadLetter.attributes['error.type'], letter.reason);
    assert.equal(deadLetter.attributes['ingest.failure.stage'], 'validate');
    assert.equal(deadLetter.attributes['ingest.failure.reason'], letter.reason);
    assert.equal(deadLetter.attributes['ingest.dead_letter.id'], letter.id);
    assert.equal(deadLetter.attributes['messaging.system'], 'nats');
    // The validate invoke and its handler span say why.
    assert.equal(only(spans, 'ingest.invoke validate').status.code, ERROR);
    assert.equal(only(spans, 'ingest.validate').attributes['error.type'], letter.reason);

    // It ends there: nothing went on to the sinks and nothing hangs below the letter. (Span times
    // are not compared: spans with a remote parent take their own anchor to the wall clock.)
    const names = spans.map((span) => span.name);
    assert.ok(!names.includes('ingest.invoke sink-write') && !names.includes('ingest.sink.write'), names.join(', '));
    assert.deepEqual(
      spans.filter((span) => span.parentSpanId === deadLetter.spanId),
      [],
    );
  });

  test('a replayed dead letter continues its trace: dead letter → replay → a second batch → the sink write', async () => {
    const loadSubject = `${plane.runId}.cpu.load.v1`;
    const event = sampleEvent(plane.route);
    const body = encodeAvro(new SchemaCache().get('t', plane.route.schema.definition), event);
    const traceId = await publishTraced(() => producer.publishRaw(loadSubject, body, event.id));
    const letter = await waitFor(
      'the unrouted event as a dead letter',
      async () => (await plane.deadLetters()).find((candidate) => candidate.subject === loadSubject),
      (found) => found !== undefined,
    );

    // Fix the cause (register the route), then replay that letter through the dlq-replay function.
    const created = await fetch(`${plane.registryUrl}/messagegroups/metrics/messages/${loadSubject}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        protocol: 'NATS',
        protocoloptions: { subject: loadSubject },
        dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
        ingestion: { sink: { kind: 'postgres', table: 'load_events' }, deadlettersubject: `${plane.runId}dlq.cpu.load.v1` },
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    await waitFor(
      'dlq-replay to see the new route',
      () => replay({ dryRun: true, ids: [letter!.id] }),
      (report) => report.counts['would-replay'] === 1,
      15_000,
    );
    assert.equal((await replay({ ids: [letter!.id] })).counts.replayed, 1);
    await waitFor(
      'the replayed event as a row',
      async () => (await plane.sql<{ n: number }[]>`select count(*)::int as n from load_events where event_id = ${event.id}`)[0]!.n,
      (n) => n === 1,
    );

    const spans = await traceWith(traceId, ['ingest.dead_letter', 'ingest.dlq.replay', 'ingest.sink.write']);
    const deadLetter = spans.filter((span) => span.name === 'ingest.dead_letter').at(-1)!;
    const replaySpan = only(spans, 'ingest.dlq.replay');
    assertChild(replaySpan, deadLetter);
    assert.equal(replaySpan.kind, PRODUCER);
    assert.equal(replaySpan.attributes['ingest.dead_letter.id'], letter!.id);
    // Linked to the dlq-replay invocation that did it (a trace of its own).
    const handler = receiver.spans().find((span) => span.name === 'ingest.dlq-replay' && replaySpan.links.some((link) => link.spanId === span.spanId));
    assert.ok(handler !== undefined, 'the replay span links to the dlq-replay handler span');
    // The republished message carried the replay span's context: its batch joined the trace there.
    const secondBatch = spans.find((span) => span.name === 'ingest.bridge.batch' && span.parentSpanId === replaySpan.spanId);
    assert.ok(secondBatch !== undefined, 'a batch span is the child of the replay span');
    const sinkInvoke = spans.find((span) => span.name === 'ingest.invoke sink-write' && span.parentSpanId === secondBatch.spanId);
    assert.ok(sinkInvoke !== undefined, 'the second batch invoked sink-write');
    const handlerSpan = only(spans, 'ingest.sink-write');
    assertChild(handlerSpan, sinkInvoke);
    assertChild(only(spans, 'ingest.sink.write'), handlerSpan);
  });
});

describe('traces: a dead OTLP endpoint changes nothing', () => {
  let plane: TestPlane;

  before(async () => {
    // A port nothing listens on: every export the bridge and the functions try is refused.
    plane = await createTestPlane({ bridgeEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
  });

  after(async () => {
    await plane?.close();
  });

  test('traced events land and a bad one is dead-lettered as without tracing: no retries, no redeliveries', async () => {
    const EVENTS = 20;
    const type = new SchemaCache().get('t', plane.route.schema.definition);
    for (let i = 0; i < EVENTS; i++) {
      const event = sampleEvent(plane.route);
      const ctx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: TraceFlags.SAMPLED,
      });
      await plane.js.publish(plane.route.subject, encodeAvro(type, event), { msgID: event.id, headers: withTraceHeaders(undefined, ctx) });
    }
    await plane.js.publish(plane.route.subject, randomBytes(16));
    await waitFor(
      'every event as a row or a letter',
      async () => [await plane.countRows(), (await plane.deadLetters()).length],
      ([rows, letters]) => rows === EVENTS && letters === 1,
    );
    const settled = await plane.stopBridge();
    assert.deepEqual(
      { committed: settled.committed, duplicates: settled.duplicates, deadLettered: settled.deadLettered, retried: settled.retried },
      // No duplicates: a flush that held the functions past ACK_WAIT_MS would have had the batch redelivered.
      { committed: EVENTS, duplicates: 0, deadLettered: 1, retried: 0 },
    );
  });
});
