import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { runSinkWrite } from '../../functions/sink-write/sinkWrite.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../../shared/contracts/index.ts';
import { connectNats, type NatsConnection } from '../../shared/nats/index.ts';
import type { SinkTarget } from '../../shared/registry/index.ts';
import { createNatsSubjectSink, type Sink } from '../../shared/sinks/index.ts';
import { freePort, uniqueRunId } from '../helpers/names.ts';

function record(id: string, eventId: string, sink: SinkTarget): SinkWriteRecord {
  return {
    id,
    subject: 'metrics.nats.v1',
    sink,
    event: {
      eventId,
      routeKey: { type: 'metrics.nats', version: 'v1' },
      time: '2026-01-01T00:00:00.000Z',
      source: 'test',
      body: { id: eventId, time: '2026-01-01T00:00:00.000Z', data: { value: Number(id) } },
    },
  };
}

function failed(result: SinkWriteResult | undefined): Extract<SinkWriteResult, { ok: false }> {
  assert.ok(result !== undefined && !result.ok, JSON.stringify(result));
  return result;
}

describe('NATS subject sink (real NATS JetStream)', () => {
  const runId = uniqueRunId();
  const stream = `SINK_${runId}`;
  const nats = loadCliConfig().nats;
  const opened: NatsConnection[] = [];
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  let sinks: Map<string, Sink>;

  before(async () => {
    admin = await connectNats(nats.url, `ingest-test-${runId}`, nats.security);
    jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${runId}.out.>`], duplicate_window: nanos(120_000) });
    sinks = new Map([
      [
        'nats',
        createNatsSubjectSink({
          connect: async () => {
            const nc = await connectNats(nats.url, `ingest-sink-test-${runId}`, nats.security);
            opened.push(nc);
            return nc;
          },
          ingestSubjects: [`${runId}.in.>`],
          deadLetterSubjects: [`${runId}dlq.>`],
          publishTimeoutMs: 2000,
        }) as Sink,
      ],
    ]);
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    for (const nc of opened) await nc.close();
    await admin?.close();
  });

  test('republishes each event once as JSON with Nats-Msg-Id = event id; repeats are reported as duplicates', async () => {
    const sink: SinkTarget = { kind: 'nats', subject: `${runId}.out.cpu` };
    const first = await runSinkWrite({ records: [record('1', 'n1', sink), record('2', 'n2', sink)] }, { sinks });
    assert.deepEqual(first.results.map((r) => r.ok && r.duplicate), [false, false]);
    // A redelivery, and the same event inside one batch twice: the stream drops both repeats.
    const again = await runSinkWrite({ records: [record('3', 'n1', sink), record('4', 'n3', sink), record('5', 'n3', sink)] }, { sinks });
    assert.ok(again.results.every((r) => r.ok));
    assert.deepEqual(again.results.map((r) => r.ok && r.duplicate).sort(), [false, true, true]);
    const info = await jsm.streams.info(stream);
    assert.equal(info.state.messages, 3);
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    assert.ok(stored !== null);
    assert.equal(stored.subject, `${runId}.out.cpu`);
    assert.equal(stored.header.get('Nats-Msg-Id'), 'n1');
    assert.equal(stored.header.get('Content-Type'), 'application/json');
    assert.equal(stored.header.get('Ingest-Subject'), 'metrics.nats.v1');
    assert.deepEqual(stored.json(), { id: 'n1', time: '2026-01-01T00:00:00.000Z', data: { value: 1 } });
    // One connection, opened on first use and reused.
    assert.equal(opened.length, 1);
  });

  test('a subject no stream captures is a permanent failure', async () => {
    const response = await runSinkWrite({ records: [record('1', 'x1', { kind: 'nats', subject: `${runId}.nowhere.cpu` }), record('2', 'x2', { kind: 'nats', subject: `${runId}.out.ok` })] }, { sinks });
    const missing = failed(response.results.find((r) => r.id === '1'));
    assert.equal(missing.failure.reason, 'sink_target_missing');
    assert.equal(missing.failure.retryable, false);
    assert.match(missing.failure.message, new RegExp(`no stream captures subject ${runId}\\.nowhere\\.cpu`));
    // The other target's record is not affected.
    assert.equal(response.results.find((r) => r.id === '2')?.ok, true);
  });

  test('a subject the ingest stream captures is refused without publishing (a loop)', async () => {
    const before = (await jsm.streams.info(stream)).state.messages;
    const response = await runSinkWrite({ records: [record('1', 'l1', { kind: 'nats', subject: `${runId}.in.cpu.usage.v1` })] }, { sinks });
    const loop = failed(response.results[0]);
    assert.equal(loop.failure.retryable, false);
    assert.match(loop.failure.message, /captured by the ingest stream .*loop/);
    assert.equal((await jsm.streams.info(stream)).state.messages, before);
  });

  test('an unreachable NATS server is a retryable sink_unavailable', async () => {
    const port = await freePort();
    const down = createNatsSubjectSink({
      connect: () => connectNats(`nats://127.0.0.1:${port}`, 'ingest-sink-test-down'),
      ingestSubjects: [],
      deadLetterSubjects: [],
      publishTimeoutMs: 500,
    });
    const response = await runSinkWrite({ records: [record('1', 'd1', { kind: 'nats', subject: `${runId}.out.cpu` })] }, { sinks: new Map([['nats', down as Sink]]) });
    const unavailable = failed(response.results[0]);
    assert.equal(unavailable.failure.reason, 'sink_unavailable');
    assert.equal(unavailable.failure.retryable, true);
  });
});
