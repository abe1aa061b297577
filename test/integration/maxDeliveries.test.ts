import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createMaxDeliveriesWatcher } from '../../bridge/maxDeliveries.ts';
import { type BridgeConfig, loadBridgeConfig } from '../../shared/config/index.ts';
import type { Logger } from '../../shared/logging/index.ts';
import { decodeDeadLetter, openDeadLetters } from '../../shared/deadletters/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { runStreamsEnv, uniqueRunId, waitFor } from '../helpers/names.ts';

/** A logger that keeps each message it is given, to count what a watcher did. */
function recordingLogger(messages: string[]): Logger {
  const record = (message: string): void => {
    messages.push(message);
  };
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

describe('messages that run out of deliveries become dead letters (real nats-server)', () => {
  let nc: NatsConnection;
  let secondNc: NatsConnection;
  let jsm: JetStreamManager;
  let config: BridgeConfig;

  before(async () => {
    const runId = uniqueRunId();
    config = loadBridgeConfig({
      ...runStreamsEnv(runId),
      RETRY_MAX_ATTEMPTS: '1',
      MAX_DELIVER: '2',
      ACK_WAIT_MS: '1000',
      LAMBDA_TIMEOUT_MS: '500',
    });
    nc = await connectNats(config.nats.url, `ingest-test-${runId}`);
    secondNc = await connectNats(config.nats.url, `ingest-test-${runId}-second`);
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  });

  after(async () => {
    if (jsm !== undefined) {
      for (const stream of [
        config.nats.ingest.name,
        config.nats.deadLetter.name,
        advisoryTopology(config.nats).stream,
        `OBJ_${config.nats.deadLetter.payloadBucket}`,
      ]) {
        await jsm.streams.delete(stream).catch(() => false);
      }
    }
    await secondNc?.close();
    await nc?.close();
  });

  test('messages no bridge ever settles are caught from the advisory and dead-lettered once each, though two watchers write each letter, a large one with its original stored apart', async () => {
    // Prepare: two messages, one of them near the server's max_payload, each delivered twice and
    // never acknowledged (a bridge that crashes on them).
    const js = jetstream(nc);
    const subject = `${config.nats.ingest.name.slice('INGEST_'.length)}.poison.v1`;
    const large = Buffer.alloc(nc.info!.max_payload - 1024, 0x7f);
    await js.publish(subject, new Uint8Array([1, 2, 3]), { msgID: 'poison-1' });
    await js.publish(subject, large, { msgID: 'poison-2' });
    const consumer = await js.consumers.get(config.nats.ingest.name, config.nats.consumer);
    for (let delivery = 1; delivery <= 2; delivery++) {
      for (let message = 1; message <= 2; message++) {
        const msg = await consumer.next({ expires: 3000 });
        assert.equal(msg?.info.deliveryCount, delivery);
      }
    }
    // A pull outstanding when ack_wait runs out again is when 2.9 checks max_deliver.
    assert.equal(await consumer.next({ expires: 2500 }), null);

    // Act: two watchers, each on a connection and writer of its own as two bridge replicas. Replicas
    // share one advisory consumer, so only a redelivered advisory is handled twice; here the second
    // has a consumer of its own, so both really write every letter.
    const topology = advisoryTopology(config.nats);
    const secondConsumer = `${topology.consumer}_second`;
    await jsm.consumers.add(topology.stream, { durable_name: secondConsumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const logs: string[][] = [[], []];
    const { store } = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });
    const watchers = [
      { connection: nc, advisoryConsumer: topology.consumer },
      { connection: secondNc, advisoryConsumer: secondConsumer },
    ].map(({ connection, advisoryConsumer }, index) => {
      const ownJs = jetstream(connection);
      const { writer } = openDeadLetters({ js: ownJs, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => connection.info });
      return createMaxDeliveriesWatcher({ nats: config.nats, js: ownJs, jsm, deadLetters: writer, logger: recordingLogger(logs[index]!), advisoryConsumer });
    });
    for (const watcher of watchers) await watcher.start();
    try {
      // Assess: both advisories handled and acknowledged by both watchers, then count the letters.
      await waitFor(
        'both advisories in the advisory stream',
        async () => (await jsm.streams.info(topology.stream)).state.messages,
        (count) => count === 2,
        15_000,
      );
      const advisoriesEnd = (await jsm.streams.info(topology.stream)).state.last_seq;
      for (const consumer of [topology.consumer, secondConsumer]) {
        await waitFor(
          `${consumer} to have handled and acknowledged every advisory`,
          async () => (await jsm.consumers.info(topology.stream, consumer)).ack_floor.stream_seq,
          (acknowledged) => acknowledged >= advisoriesEnd,
          15_000,
        );
      }
      for (const messages of logs) {
        assert.equal(
          messages.filter((message) => message === 'dead-lettered after max deliveries').length,
          2,
          `each watcher wrote both letters: ${JSON.stringify(messages)}`,
        );
      }
      const info = await jsm.streams.info(config.nats.deadLetter.name);
      assert.equal(info.state.messages, 2, 'exactly one dead letter per message, though each was written twice');
      const letters = await Promise.all(
        [info.state.first_seq, info.state.last_seq].map(async (seq) =>
          decodeDeadLetter((await jsm.streams.getMessage(config.nats.deadLetter.name, { seq }))!.data),
        ),
      );
      letters.sort((a, b) => a.streamSequence - b.streamSequence);
      for (const letter of letters) {
        assert.equal(letter.reason, 'max_deliveries_exceeded');
        assert.equal(letter.stage, 'bridge');
      }
      const [small, big] = letters;
      assert.equal(small!.id, `${config.nats.ingest.name}:1`);
      assert.deepEqual([...Buffer.from(small!.payload ?? '', 'base64')], [1, 2, 3]);
      assert.equal(big!.id, `${config.nats.ingest.name}:2`);
      assert.equal(big!.payload, undefined, 'the large original does not travel in its letter');
      const original = await store.original(big!);
      assert.ok(Buffer.from(original.payload, 'base64').equals(large), 'it is read back from the object store, byte for byte');
    } finally {
      for (const watcher of watchers) await watcher.stop();
    }
  });
});
