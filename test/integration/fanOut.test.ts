import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Subscription } from '@nats-io/nats-core';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import type { ReplayReport } from '../../shared/stages/dlqReplay/replay.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const GOOD = 300;
const NEGATIVE = 8;
const OUTAGE_REQUESTS = 5;

type Event = { id: string; data: { value: number } };

/**
 * A real HTTP receiver on 127.0.0.1. It counts every event it is sent (not deduplicated, so a
 * re-driven sink shows up as a second call), answers 503 to its first `outage` requests and, when
 * `refuseNegative`, 422 to negative values until it is told to accept them.
 */
async function startReceiver(
  outage: number,
  refuseNegative: boolean,
): Promise<{
  server: Server;
  port: number;
  calls: Map<string, number>;
  accepted: Map<string, number>;
  failures: { status: number }[];
  acceptNegative: () => void;
}> {
  const calls = new Map<string, number>();
  const accepted = new Map<string, number>();
  const failures: { status: number }[] = [];
  let requests = 0;
  let negativeOk = !refuseNegative;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Event | { events: Event[] };
      const events = 'events' in body ? body.events : [body];
      for (const event of events) calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
      if (++requests <= outage) {
        failures.push({ status: 503 });
        return void response.writeHead(503, { 'retry-after': '0' }).end('warming up');
      }
      if (!negativeOk && events.some((event) => event.data.value < 0)) {
        failures.push({ status: 422 });
        return void response.writeHead(422, { 'content-type': 'text/plain' }).end('negative cpu usage');
      }
      for (const event of events) accepted.set(event.id, (accepted.get(event.id) ?? 0) + 1);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    calls,
    accepted,
    failures,
    acceptNegative: () => {
      negativeOk = true;
    },
  };
}

describe('fan-out through the real chain: one route, four sinks, retries re-drive only the failed sink', () => {
  let plane: TestPlane;
  let steady: Awaited<ReturnType<typeof startReceiver>>;
  let flaky: Awaited<ReturnType<typeof startReceiver>>;
  let lambda: LambdaClient;
  let subject: string;
  // The NATS subject sink's target: a stream of the test's own, and a plain subscription on its
  // subject that sees every publish the sink makes, repeats included (the stream would drop those).
  let natsSink: { subject: string; stream: string; subscription: Subscription | undefined; published: Map<string, number> };

  async function putMessage(ingestion: unknown): Promise<Response> {
    return fetch(`${plane.registryUrl}/messagegroups/metrics/messages/${subject}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: 'NATS', protocoloptions: { subject }, dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage', ingestion }),
    });
  }

  async function invoke<T>(stage: string, request: unknown): Promise<T> {
    const output = await lambda.send(new InvokeCommand({ FunctionName: `ingest-test-${stage}`, Payload: Buffer.from(JSON.stringify(request)) }));
    return JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8')) as T;
  }

  async function fanRows(): Promise<{ rows: number; distinct: number }> {
    const [row] = await plane.sql<
      { rows: number; distinct: number }[]
    >`select count(*)::int as rows, count(distinct event_id)::int as distinct from fan_events`;
    return row!;
  }

  before(async () => {
    steady = await startReceiver(0, false);
    flaky = await startReceiver(OUTAGE_REQUESTS, true);
    plane = await createTestPlane({
      bridgeEnv: {
        HTTP_SINK_ALLOWED_HOSTS: `127.0.0.1:${steady.port},127.0.0.1:${flaky.port}`,
        HTTP_SINK_ALLOW_PRIVATE_NETWORKS: 'true',
        BRIDGE_SINK_TARGET_CONCURRENCY: '2',
      },
    });
    lambda = new LambdaClient({ region: 'us-east-1', endpoint: plane.env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    subject = `${plane.runId}.cpu.fan.v1`;
    natsSink = { subject: `${plane.runId}out.fan`, stream: `FAN_${plane.runId}`, subscription: undefined, published: new Map() };
    await plane.jsm.streams.add({ name: natsSink.stream, subjects: [natsSink.subject] });
    const { published } = natsSink;
    natsSink.subscription = plane.nc.subscribe(natsSink.subject, {
      callback: (error, msg) => {
        const id = msg?.headers?.get('Nats-Msg-Id');
        if (error === null && id !== undefined) published.set(id, (published.get(id) ?? 0) + 1);
      },
    });
    await plane.nc.flush();
  });

  after(async () => {
    lambda?.destroy();
    natsSink?.subscription?.unsubscribe();
    if (natsSink !== undefined) await plane?.jsm.streams.delete(natsSink.stream).catch(() => false);
    await plane?.close();
    steady?.server.close();
    flaky?.server.close();
  });

  test('the registry takes a list of sinks and refuses ambiguous ones', async () => {
    const deadlettersubject = `${plane.runId}dlq.cpu.fan.v1`;
    const table = { kind: 'postgres', table: 'fan_events' };
    const both = await putMessage({ sink: table, sinks: [table], deadlettersubject });
    assert.equal(both.status, 400);
    assert.match(((await both.json()) as { detail: string }).detail, /exactly one of "sink".*or "sinks"/);
    const twice = await putMessage({ sinks: [table, { ...table }], deadlettersubject });
    assert.equal(twice.status, 400);
    assert.match(((await twice.json()) as { detail: string }).detail, /names postgres:fan_events twice/);
    const empty = await putMessage({ sinks: [], deadlettersubject });
    assert.equal(empty.status, 400);
    const offList = await putMessage({ sinks: [table, { kind: 'http', url: 'http://127.0.0.1:9/x', mode: 'batch' }], deadlettersubject });
    assert.equal(offList.status, 400, 'each sink is held to the HTTP allow-list');
    assert.match(await offList.text(), /ingestion\.sinks\[1\]/);

    const created = await putMessage({
      sinks: [
        table,
        { kind: 'http', url: `http://127.0.0.1:${steady.port}/events`, mode: 'batch' },
        { kind: 'http', url: `http://127.0.0.1:${flaky.port}/events`, mode: 'event' },
        { kind: 'nats', subject: natsSink.subject },
      ],
      deadlettersubject,
    });
    assert.equal(created.status, 201, await created.clone().text());
    const stored = (await created.json()) as { ingestion: { sinks: unknown[] } };
    assert.equal(stored.ingestion.sinks.length, 4);
    assert.deepEqual(await fanRows(), { rows: 0, distinct: 0 }, 'the PostgreSQL sink table was created with the route');
  });

  test('every event reaches each sink once; a dead letter names the sink that refused it; replay re-drives only that sink', async () => {
    const producer = createProducer(plane.js);
    const type = new SchemaCache().get('t', plane.route.schema.definition);
    // The functions cache the registry (500 ms in tests, unknown subjects 200 ms): ask validate and
    // route themselves until both know the new route, else the first events are dead-lettered as unrouted.
    type Answer = { results: { ok: boolean; sinks?: unknown[] }[] };
    await waitFor(
      'validate and route to know the fan-out route',
      async () => {
        const payload = Buffer.from(encodeAvro(type, sampleEvent(plane.route))).toString('base64');
        const validated = await invoke<Answer>('validate', { records: [{ id: '1', subject, payload, publishedAtMs: Date.now() }] });
        const routed = await invoke<Answer>('route', { records: [{ id: subject, subject }] });
        return { validated: validated.results[0]?.ok, sinks: routed.results[0]?.sinks?.length };
      },
      (known) => known.validated === true && known.sinks === 4,
      30_000,
    );
    const ids: string[] = [];
    const negatives: string[] = [];
    for (let i = 0; i < GOOD + NEGATIVE; i++) {
      const negative = i % Math.floor((GOOD + NEGATIVE) / NEGATIVE) === 0 && negatives.length < NEGATIVE;
      const event = sampleEvent(plane.route, { data: { name: 'cpu', value: negative ? -1 : i, unit: null, tags: {} } });
      ids.push(String(event.id));
      if (negative) negatives.push(String(event.id));
      await producer.publishRaw(subject, encodeAvro(type, event), String(event.id));
    }
    assert.equal(negatives.length, NEGATIVE);

    // Act 1: the flaky receiver is down for its first requests and refuses negative values.
    await waitFor(
      'dead letters for refused events',
      async () => (await plane.deadLetters()).length,
      (n) => n === NEGATIVE,
    );
    await waitFor(
      'consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
    );

    // Assess: PostgreSQL, the steady receiver and the NATS subject got every event exactly once, retries included.
    assert.deepEqual(await fanRows(), { rows: GOOD + NEGATIVE, distinct: GOOD + NEGATIVE });
    assert.equal(steady.calls.size, GOOD + NEGATIVE);
    assert.deepEqual([...new Set(steady.calls.values())], [1], 'the steady sink was never re-driven');
    await waitFor(
      'every event at the NATS subject',
      () => Promise.resolve(natsSink.published.size),
      (n) => n === GOOD + NEGATIVE,
    );
    assert.deepEqual([...new Set(natsSink.published.values())], [1], 'the NATS subject sink was never re-driven');
    assert.equal(flaky.failures.filter((f) => f.status === 503).length, OUTAGE_REQUESTS, 'the outage did happen');
    assert.equal(flaky.accepted.size, GOOD);
    assert.deepEqual([...new Set(flaky.accepted.values())], [1], 'the flaky sink accepted each good event once');
    const letters = await plane.deadLetters();
    assert.deepEqual(letters.map((letter) => letter.eventId).sort(), [...negatives].sort());
    for (const letter of letters) {
      assert.equal(letter.reason, 'sink_rejected');
      assert.deepEqual(
        letter.sinks?.map((outcome) => [outcome.sink.split(':')[0], outcome.delivered]),
        [
          ['postgres', true],
          ['http', true],
          ['http', false],
          ['nats', true],
        ],
      );
      const refused = letter.sinks?.find((outcome) => !outcome.delivered);
      assert.ok(refused !== undefined && !refused.delivered && refused.retryable === false && /422/.test(refused.message), JSON.stringify(refused));
    }

    // Act 2: the receiver is fixed; dlq-replay re-drives the letters.
    flaky.acceptNegative();
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'ingest-test-dlq-replay', Payload: Buffer.from('{}') }));
    const report = JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8')) as ReplayReport;
    assert.equal(report.counts.replayed, NEGATIVE);

    // Assess: only the sink that had refused them was called again.
    await waitFor(
      'replayed events at the fixed sink',
      () => Promise.resolve(flaky.accepted.size),
      (n) => n === GOOD + NEGATIVE,
    );
    await waitFor(
      'consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
    );
    assert.deepEqual([...new Set(flaky.accepted.values())], [1]);
    assert.deepEqual([...new Set(steady.calls.values())], [1], 'replay skipped the sinks that had the events');
    assert.equal(natsSink.published.size, GOOD + NEGATIVE);
    assert.deepEqual([...new Set(natsSink.published.values())], [1], 'replay skipped the NATS subject too');
    assert.deepEqual(await fanRows(), { rows: GOOD + NEGATIVE, distinct: GOOD + NEGATIVE });
    assert.equal((await plane.deadLetters()).length, 0);
    // Delivery state exists only for events whose sinks did not all succeed at once: the 8
    // refused ones and those caught by the outage (at most one per 503), never for the rest.
    const [state] = await plane.sql<{ events: number; rows: number }[]>`
      select count(distinct event_id)::int as events, count(*)::int as rows from sink_deliveries`;
    assert.ok(state!.events >= NEGATIVE && state!.events <= NEGATIVE + OUTAGE_REQUESTS, JSON.stringify(state));
    const [refused] = await plane.sql<{ rows: number }[]>`
      select count(*)::int as rows from sink_deliveries where event_id = any(${negatives}::text[])`;
    assert.equal(
      refused!.rows,
      4 * NEGATIVE,
      'each refused event: PostgreSQL, the steady sink and the NATS subject before the dead letter, the fixed sink after the replay',
    );
  });
});
