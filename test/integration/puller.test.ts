import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  type FetchOptions,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { createPuller } from '../../bridge/puller.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { connectNats, type NatsConnection } from '../../shared/nats/index.ts';
import { uniqueRunId, waitFor } from '../helpers/names.ts';

/** One fetch the puller made: how many it asked for, how many it held then, and whether it has ended. */
type Pull = { asked: number; heldWhenAsked: number; ended: boolean };

/**
 * The real consumer, with each fetch recorded in `pulls` (synchronously, as the puller calls it) and
 * marked ended once the puller has read its last message.
 */
function recordingPulls(consumer: Consumer, held: () => number, pulls: Pull[]): Consumer {
  return new Proxy(consumer, {
    get(target, property) {
      if (property !== 'fetch') {
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (options: FetchOptions): Promise<ConsumerMessages> => {
        const pull: Pull = { asked: options.max_messages ?? Number.NaN, heldWhenAsked: held(), ended: false };
        pulls.push(pull);
        const messages = await target.fetch(options);
        return new Proxy(messages, {
          get(inner, key) {
            if (key === Symbol.asyncIterator) {
              return async function* read(): AsyncGenerator<JsMsg> {
                try {
                  for await (const msg of inner) yield msg;
                } finally {
                  pull.ended = true;
                }
              };
            }
            const value: unknown = Reflect.get(inner, key, inner);
            return typeof value === 'function' ? value.bind(inner) : value;
          },
        });
      };
    },
  });
}

/**
 * Waits until `count` pulls were made and the last has ended, then lets the puller finish its
 * synchronous decision (pull again or wait for room): everything it does between the end of a
 * pull and its next fetch call runs in microtasks, all of which have run once a macrotask turn
 * (setImmediate) has passed. No time is waited for; what the puller did is then final until
 * `roomFreed()`.
 */
async function settledPulls(pulls: readonly Pull[], count: number): Promise<void> {
  await waitFor(
    `${count} ended pull(s)`,
    () => Promise.resolve(pulls),
    (seen) => seen.length >= count && seen[count - 1]!.ended,
  );
  await setImmediate();
}

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
    await waitFor(
      'messages stored',
      async () => (await jsm.streams.info(stream)).state.messages,
      (n) => n === 3000,
    );
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    await nc?.close();
  });

  test('holds at most maxHeld messages, and pulls again only as settled ones free places', async () => {
    const consumer = await jetstream(nc).consumers.get(stream, 'bridge');
    const held: JsMsg[] = [];
    let released = 0;
    const holding = () => held.length - released;
    const pulls: Pull[] = [];
    const puller = createPuller({
      consumer: recordingPulls(consumer, holding, pulls),
      maxHeld: 500,
      held: holding,
      minPull: 200,
      // Long enough that a pull ends because it got what it asked for, not because it expired.
      expiresMs: 20_000,
      onMessage: (msg) => void held.push(msg),
      logger: createLogger('error'),
    });
    puller.start();
    try {
      await settledPulls(pulls, 1);
      assert.deepEqual(pulls, [{ asked: 500, heldWhenAsked: 0, ended: true }], 'one pull for every place');
      assert.equal(held.length, 500, 'nothing more is pulled while every place is taken');
      assert.equal((await jsm.consumers.info(stream, 'bridge')).num_ack_pending, 500);

      // Settle 150 (fewer than minPull): the puller wakes, finds too little room and pulls nothing.
      for (const msg of held.slice(0, 150)) msg.ack();
      released += 150;
      puller.roomFreed();
      await setImmediate();
      assert.equal(pulls.length, 1, `150 free places are fewer than minPull: ${JSON.stringify(pulls)}`);

      // 100 more: room for 250, asked for in one pull, and nothing after it while full again.
      for (const msg of held.slice(150, 250)) msg.ack();
      released += 100;
      puller.roomFreed();
      await settledPulls(pulls, 2);
      assert.deepEqual(pulls[1], { asked: 250, heldWhenAsked: 250, ended: true }, 'the pull asked for exactly the free places');
      assert.equal(pulls.length, 2, 'no pull while every place is taken again');
      assert.equal(held.length, 750);
      await waitFor(
        'the server to see 500 unacknowledged',
        async () => (await jsm.consumers.info(stream, 'bridge')).num_ack_pending,
        (n) => n === 500,
      );
    } finally {
      await puller.stop();
    }
    for (const msg of held.slice(250)) msg.ack();
  });
});
