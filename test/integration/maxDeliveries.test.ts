import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createMaxDeliveriesWatcher } from '../../bridge/maxDeliveries.ts';
import { type BridgeConfig, loadBridgeConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { decodeDeadLetter, openDeadLetters } from '../../shared/deadletters/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { runStreamsEnv, uniqueRunId, waitFor } from '../helpers/names.ts';

describe('messages that run out of deliveries become dead letters (real nats-server)', () => {
  let nc: NatsConnection;
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
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  });

  after(async () => {
    if (jsm !== undefined) {
      for (const stream of [config.nats.ingest.name, config.nats.deadLetter.name, advisoryTopology(config.nats).stream, `OBJ_${config.nats.deadLetter.payloadBucket}`]) {
        await jsm.streams.delete(stream).catch(() => false);
      }
    }
    await nc?.close();
  });

  test('messages no bridge ever settles are caught from the advisory and dead-lettered once each, a large one with its original stored apart', async () => {
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

    // Act: two watchers, as two bridge replicas would run.
    const logger = createLogger('error');
    const { writer: deadLetters, store } = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });
    const watchers = [1, 2].map(() => createMaxDeliveriesWatcher({ nats: config.nats, js, jsm, deadLetters, logger }));
    for (const watcher of watchers) await watcher.start();
    try {
      // Assess
      await waitFor('the dead letters', async () => (await jsm.streams.info(config.nats.deadLetter.name)).state.messages, (count) => count >= 2, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const info = await jsm.streams.info(config.nats.deadLetter.name);
      assert.equal(info.state.messages, 2, 'exactly one dead letter per message');
      const letters = await Promise.all([info.state.first_seq, info.state.last_seq].map(async (seq) => decodeDeadLetter((await jsm.streams.getMessage(config.nats.deadLetter.name, { seq }))!.data)));
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
      await waitFor('the advisory to be settled', async () => (await jsm.consumers.info(advisoryTopology(config.nats).stream, advisoryTopology(config.nats).consumer)).num_ack_pending, (n) => n === 0, 10_000);
    } finally {
      for (const watcher of watchers) await watcher.stop();
    }
  });
});
