import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { createMaxDeliveriesWatcher, type MaxDeliveriesWatcher } from '../../bridge/maxDeliveries.ts';
import { type BridgeConfig, loadBridgeConfig } from '../../shared/config/index.ts';
import { type DeadLetter, openDeadLetters } from '../../shared/deadletters/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { runStreamsEnv, uniqueRunId, waitFor } from '../helpers/names.ts';

/**
 * Two bridge deployments on one ingest stream, each with its own consumer and its own dead-letter
 * stream. The max-deliveries advisories of both land in the one advisory stream of the ingest
 * stream; each deployment must dead-letter only what its own consumer gave up on.
 */
describe("each bridge deployment dead-letters only its own consumer's max-deliveries advisories (real nats-server)", () => {
  const runId = uniqueRunId();
  const shared = { ...runStreamsEnv(runId), RETRY_MAX_ATTEMPTS: '1', MAX_DELIVER: '2', ACK_WAIT_MS: '1000', LAMBDA_TIMEOUT_MS: '500' };
  const deployments: Record<'a' | 'b', BridgeConfig> = {
    a: loadBridgeConfig({
      ...shared,
      INGEST_CONSUMER: `bridge_a_${runId}`,
      DEADLETTER_STREAM: `DLQ_A_${runId}`,
      DEADLETTER_SUBJECTS: `${runId}dlqa.>`,
      DEADLETTER_DEFAULT_SUBJECT: `${runId}dlqa.unrouted`,
    }),
    b: loadBridgeConfig({
      ...shared,
      INGEST_CONSUMER: `bridge_b_${runId}`,
      DEADLETTER_STREAM: `DLQ_B_${runId}`,
      DEADLETTER_SUBJECTS: `${runId}dlqb.>`,
      DEADLETTER_DEFAULT_SUBJECT: `${runId}dlqb.unrouted`,
    }),
  };
  let nc: NatsConnection | undefined;
  let js: JetStreamClient;
  let jsm: JetStreamManager;

  before(async () => {
    nc = await connectNats(deployments.a.nats.url, `ingest-test-${runId}`);
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    for (const config of Object.values(deployments)) await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  });

  after(async () => {
    if (nc === undefined) return;
    const { a, b } = deployments;
    for (const stream of [
      a.nats.ingest.name,
      advisoryTopology(a.nats).stream,
      a.nats.deadLetter.name,
      b.nats.deadLetter.name,
      `OBJ_${a.nats.deadLetter.payloadBucket}`,
      `OBJ_${b.nats.deadLetter.payloadBucket}`,
    ]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
    await nc.close();
  });

  /**
   * Reads the ingest stream through `consumer` as a bridge that keeps crashing on `poison` would:
   * every other message is acknowledged, `poison` never is, until the server gives up on it.
   */
  async function exhaust(consumerName: string, poison: number, maxDeliver: number): Promise<void> {
    const consumer = await js.consumers.get(deployments.a.nats.ingest.name, consumerName);
    let poisonDeliveries = 0;
    while (poisonDeliveries < maxDeliver) {
      const msg = await consumer.next({ expires: 3000 });
      assert.ok(msg !== null, `${consumerName}: message ${poison} came back ${poisonDeliveries} time(s), not ${maxDeliver}`);
      if (msg.seq === poison) poisonDeliveries = msg.info.deliveryCount;
      else msg.ack();
    }
    // A pull outstanding when ack_wait runs out once more is when nats-server 2.9 checks max_deliver.
    assert.equal(await consumer.next({ expires: 2500 }), null);
  }

  async function lettersIn(config: BridgeConfig): Promise<DeadLetter[]> {
    const { store } = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc?.info });
    return (await store.list(100)).map((stored) => stored.letter);
  }

  test("an advisory for deployment A's consumer becomes a letter only through A; B acknowledges it and writes nothing, and the other way round", async () => {
    const { a, b } = deployments;
    const subject = `${runId}.poison.v1`;
    await js.publish(subject, new Uint8Array([1]), { msgID: 'for-a' });
    await js.publish(subject, new Uint8Array([2]), { msgID: 'for-b' });
    // A's consumer gives up on message 1 and takes message 2; B's the other way round.
    await Promise.all([exhaust(a.nats.consumer, 1, a.retry.maxDeliver), exhaust(b.nats.consumer, 2, b.retry.maxDeliver)]);
    const topology = advisoryTopology(a.nats);
    assert.equal(topology.stream, advisoryTopology(b.nats).stream, 'one advisory stream for both deployments');
    await waitFor(
      'both advisories in the advisory stream',
      async () => (await jsm.streams.info(topology.stream)).state.messages,
      (count) => count === 2,
      15_000,
    );

    const logger = createLogger('error');
    const watchers: MaxDeliveriesWatcher[] = [a, b].map((config) =>
      createMaxDeliveriesWatcher({
        nats: config.nats,
        js,
        jsm,
        deadLetters: openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc?.info }).writer,
        logger,
      }),
    );
    try {
      for (const watcher of watchers) await watcher.start();
      // Both watchers have seen and acknowledged both advisories: each decided about each.
      for (const config of [a, b]) {
        const advisories = advisoryTopology(config.nats);
        await waitFor(
          `${advisories.consumer} to settle both advisories`,
          async () => jsm.consumers.info(advisories.stream, advisories.consumer),
          (info) => info.ack_floor.stream_seq === 2 && info.num_pending === 0 && info.num_ack_pending === 0,
          15_000,
        );
      }
    } finally {
      for (const watcher of watchers) await watcher.stop();
    }

    const [lettersOfA, lettersOfB] = [await lettersIn(a), await lettersIn(b)];
    assert.deepEqual(
      lettersOfA.map((letter) => [letter.id, letter.reason]),
      [[`${a.nats.ingest.name}:1`, 'max_deliveries_exceeded']],
      "A dead-letters its own message, not B's",
    );
    assert.deepEqual(
      lettersOfB.map((letter) => [letter.id, letter.reason]),
      [[`${b.nats.ingest.name}:2`, 'max_deliveries_exceeded']],
      "B dead-letters its own message, not A's",
    );
    assert.deepEqual([...Buffer.from(lettersOfA[0]!.payload ?? '', 'base64')], [1]);
    assert.deepEqual([...Buffer.from(lettersOfB[0]!.payload ?? '', 'base64')], [2]);
  });
});
