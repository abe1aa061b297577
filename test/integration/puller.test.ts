import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { createPuller } from '../../bridge/puller.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { connectNats, type NatsConnection } from '../../shared/nats/index.ts';
import { uniqueRunId, waitFor } from '../helpers/names.ts';

describe('the bridge pulls only what it has room for (real nats-server)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;

  before(async () => {
    const runId = uniqueRunId();
    stream = `PULL_${runId}`;
    nc = await connectNats(loadCliConfig().nats.url, `ingest-test-${runId}`);
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${runId}.>`] });
    await jsm.consumers.add(stream, { durable_name: 'bridge', ack_policy: AckPolicy.Explicit, max_ack_pending: 100_000 });
    const js = jetstream(nc);
    for (let i = 0; i < 3000; i++) js.publish(`${runId}.x.v1`, new Uint8Array([i % 256]));
    await waitFor('messages stored', async () => (await jsm.streams.info(stream)).state.messages, (n) => n === 3000);
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    await nc?.close();
  });

  test('holds at most maxHeld messages, and pulls again only as settled ones free places', async () => {
    const consumer = await jetstream(nc).consumers.get(stream, 'bridge');
    const held: JsMsg[] = [];
    let released = 0;
    const puller = createPuller({
      consumer,
      maxHeld: 500,
      held: () => held.length - released,
      minPull: 200,
      expiresMs: 1000,
      onMessage: (msg) => void held.push(msg),
      logger: createLogger('error'),
    });
    puller.start();
    try {
      await waitFor('the first pull', () => Promise.resolve(held.length), (n) => n === 500);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(held.length, 500, 'nothing more is pulled while every place is taken');
      assert.equal((await jsm.consumers.info(stream, 'bridge')).num_ack_pending, 500);

      // Settle 150 (fewer than minPull): still no pull; then 100 more: room for 250.
      for (const msg of held.slice(0, 150)) msg.ack();
      released += 150;
      puller.roomFreed();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(held.length, 500);
      for (const msg of held.slice(150, 250)) msg.ack();
      released += 100;
      puller.roomFreed();
      await waitFor('the next pull', () => Promise.resolve(held.length), (n) => n === 750);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(held.length, 750, 'the pull asked for exactly the free places');
    } finally {
      await puller.stop();
    }
    for (const msg of held.slice(250)) msg.ack();
  });
});
