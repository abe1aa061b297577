import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import type { ReplayReport } from '../../shared/stages/dlqReplay/replay.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const UNROUTED = 20;
const BROKEN = 5;

describe('dlq-replay through serverless-offline: fixed causes land once, hopeless ones park', () => {
  let plane: TestPlane;
  let lambda: LambdaClient;
  let loadSubject: string;

  async function replay(request: Record<string, unknown>): Promise<ReplayReport> {
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'ingest-test-dlq-replay', Payload: Buffer.from(JSON.stringify(request)) }));
    const body = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    assert.equal(output.FunctionError, undefined, body);
    return JSON.parse(body) as ReplayReport;
  }

  async function loadRows(): Promise<number> {
    const [row] = await plane.sql<{ count: number }[]>`select count(*)::int as count from load_events`;
    return row!.count;
  }

  before(async () => {
    plane = await createTestPlane({ bridgeEnv: { DLQ_REPLAY_MAX_REPLAYS: '3', SINK_DELIVERY_RETENTION_DAYS: '15' } });
    lambda = new LambdaClient({ region: 'us-east-1', endpoint: plane.env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    loadSubject = `${plane.runId}.cpu.load.v1`;
  });

  after(async () => {
    lambda?.destroy();
    await plane?.close();
  });

  test('dead letters for a missing route replay exactly once after the route is registered', async () => {
    // Prepare: events for a route nobody registered yet, and bytes that will never decode.
    const producer = createProducer(plane.js);
    const type = new SchemaCache().get('t', plane.route.schema.definition);
    for (let i = 0; i < UNROUTED; i++) await producer.publishRaw(loadSubject, encodeAvro(type, sampleEvent(plane.route)), `load-${i}`);
    for (let i = 0; i < BROKEN; i++) await producer.publishRaw(plane.route.subject, randomBytes(12 + i));
    await waitFor(
      'dead letters',
      async () => (await plane.deadLetters()).length,
      (n) => n === UNROUTED + BROKEN,
    );

    // Act 1: nothing is fixed yet; a dry run changes nothing.
    const before = await replay({ dryRun: true });
    assert.deepEqual([before.counts['would-replay'], before.counts['still-failing']], [0, UNROUTED + BROKEN]);
    assert.ok(
      (await plane.deadLetters()).every((letter) => letter.replayCount === 0),
      'a dry run writes nothing',
    );

    // Act 2: register the missing route, then dry run and replay.
    const message = {
      protocol: 'NATS',
      protocoloptions: { subject: loadSubject },
      dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
      ingestion: { sink: { kind: 'postgres', table: 'load_events' }, deadlettersubject: `${plane.runId}dlq.cpu.load.v1` },
    };
    const created = await fetch(`${plane.registryUrl}/messagegroups/metrics/messages/${loadSubject}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    assert.equal(created.status, 201, await created.clone().text());
    // The function's registry caches still remember the route as missing (REGISTRY_CACHE_TTL_MS);
    // a dry run changes nothing, so ask again until it sees the route.
    const dry = await waitFor(
      'dlq-replay to see the new route',
      () => replay({ dryRun: true }),
      (report) => report.counts['would-replay'] > 0,
      15_000,
    );
    assert.deepEqual([dry.counts['would-replay'], dry.counts['still-failing']], [UNROUTED, BROKEN]);
    assert.equal(await loadRows(), 0, 'a dry run republishes nothing');

    const first = await replay({});
    assert.deepEqual([first.counts.replayed, first.counts['still-failing']], [UNROUTED, BROKEN]);

    // Assess: the replayed events land once; the broken ones stay, counting replays, then park.
    await waitFor(
      'replayed rows',
      () => loadRows(),
      (rows) => rows === UNROUTED,
    );
    const again = await replay({});
    assert.equal(again.counts.replayed, 0, 'nothing left to replay');
    assert.equal(again.counts['still-failing'] + again.counts.parked, BROKEN);
    const third = await replay({});
    assert.equal(third.counts.parked, BROKEN, 'parked after DLQ_REPLAY_MAX_REPLAYS (3)');
    const last = await replay({});
    assert.equal(last.counts['already-parked'], BROKEN);

    await waitFor(
      'consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
    );
    assert.equal(await loadRows(), UNROUTED, 'no replayed event landed twice');
    const letters = await plane.deadLetters();
    assert.equal(letters.length, BROKEN);
    for (const letter of letters) {
      assert.equal(letter.reason, 'avro_decode_failed');
      assert.equal(letter.replayCount, 3);
      assert.equal(letter.parked, true);
    }
  });

  test('a replay run prunes fan-out delivery state older than SINK_DELIVERY_RETENTION_DAYS; a dry run prunes nothing', async () => {
    const deliveries = async (): Promise<string[]> =>
      (await plane.sql<{ event_id: string }[]>`select event_id from sink_deliveries where sink = 'prune-test' order by event_id`).map((row) => row.event_id);
    await plane.sql`
      insert into sink_deliveries (event_id, sink, delivered_at)
      values ('old', 'prune-test', now() - interval '16 days'), ('recent', 'prune-test', now() - interval '14 days')`;
    // A filter no letter matches: the runs replay nothing, so only the housekeeping shows.
    const nothing = { ids: [`${plane.bridgeConfig.nats.ingest.name}:999999`] };
    assert.equal((await replay({ ...nothing, dryRun: true })).examined, 0);
    assert.deepEqual(await deliveries(), ['old', 'recent'], 'a dry run changes nothing, delivery state included');
    assert.equal((await replay(nothing)).examined, 0);
    assert.deepEqual(await deliveries(), ['recent']);
  });
});
