import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers as createHeaders } from '@nats-io/nats-core';
import { messageSpanContext } from '../../bridge/messageTrace.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import { connectNats, findHeaderValue, type NatsConnection, rawHeaderBlock } from '../../shared/nats/index.ts';
import { contextFromHeaders, spanContextOf } from '../../shared/telemetry/index.ts';
import { uniqueRunId } from '../helpers/names.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

// The bridge reads each message's traceparent from the raw header block that nats.js keeps in
// fields of its own (rawHeaders.ts). This proves, on messages a real nats-server delivered through
// a JetStream consumer, that the block is reachable with the pinned nats.js (so the fast path is
// taken, not the fallback) and that it reads what the header map reads.
describe('trace context read from raw header blocks of real JetStream messages', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let runId: string;
  const received: JsMsg[] = [];

  before(async () => {
    runId = uniqueRunId();
    stream = `RAWHDR_${runId}`;
    nc = await connectNats(loadCliConfig().nats.url, `ingest-test-${runId}`);
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${runId}.>`] });
    await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    const traced = createHeaders();
    traced.set('traceparent', TRACEPARENT);
    traced.set('tracestate', 'vendor=a');
    traced.set('x-other', 'kept');
    await js.publish(`${runId}.traced`, new Uint8Array([1]), { headers: traced, msgID: 'event-1' });
    await js.publish(`${runId}.plain`, new Uint8Array([2]));
    await js.publish(`${runId}.deduplicated-only`, new Uint8Array([3]), { msgID: 'event-3' });
    const consumer = await jetstream(nc).consumers.get(stream, 'reader');
    const messages = await consumer.fetch({ max_messages: 3, expires: 5000 });
    for await (const msg of messages) {
      received.push(msg);
      msg.ack();
    }
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    await nc?.close();
  });

  test('all three messages were delivered', () => {
    assert.deepEqual(
      received.map((msg) => msg.subject),
      [`${runId}.traced`, `${runId}.plain`, `${runId}.deduplicated-only`],
    );
  });

  test('a message with headers exposes its raw block, and every header reads as in the header map', () => {
    const [traced] = received;
    assert.ok(traced);
    const block = rawHeaderBlock(traced);
    assert.ok(block instanceof Uint8Array, 'the pinned nats.js keeps the raw block where rawHeaders.ts looks');
    for (const name of ['traceparent', 'tracestate', 'x-other', 'Nats-Msg-Id']) {
      assert.equal(findHeaderValue(block, name.toLowerCase()), traced.headers?.get(name), name);
    }
  });

  test('the span context equals what the W3C propagator extracts from the header map', () => {
    const [traced] = received;
    assert.ok(traced);
    const fast = messageSpanContext(traced);
    assert.equal(fast?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(fast?.spanId, '00f067aa0ba902b7');
    assert.equal(fast?.traceState?.get('vendor'), 'a');
    const slow = spanContextOf(contextFromHeaders(traced.headers));
    assert.deepEqual({ ...fast, traceState: fast?.traceState?.serialize() }, { ...slow, traceState: slow?.traceState?.serialize() });
  });

  test('a message without headers has no block and no context; one with only a message id has no context', () => {
    const [, plain, deduplicatedOnly] = received;
    assert.ok(plain && deduplicatedOnly);
    assert.equal(rawHeaderBlock(plain), undefined);
    assert.equal(messageSpanContext(plain), undefined);
    assert.ok(rawHeaderBlock(deduplicatedOnly) instanceof Uint8Array);
    assert.equal(messageSpanContext(deduplicatedOnly), undefined);
  });
});
