import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { findHeaderValue } from '../../shared/nats/index.ts';
import { remoteSpanContext } from '../../shared/telemetry/index.ts';

const encoder = new TextEncoder();
const block = (text: string): Uint8Array => encoder.encode(text);

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('findHeaderValue reads one header from a raw NATS header block', () => {
  test('finds the value whatever the case of the name, trimmed as nats.js trims it', () => {
    const raw = block(`NATS/1.0\r\nNats-Msg-Id: abc\r\nTraceParent:   ${TRACEPARENT} \r\n\r\n`);
    assert.equal(findHeaderValue(raw, 'traceparent'), TRACEPARENT);
    assert.equal(findHeaderValue(raw, 'nats-msg-id'), 'abc');
  });

  test('gives the first value when a header repeats, as msg.headers.get does', () => {
    assert.equal(findHeaderValue(block('NATS/1.0\r\nx-a: one\r\nx-a: two\r\n\r\n'), 'x-a'), 'one');
  });

  test('a name that only starts with the wanted one, or ends inside it, is another header', () => {
    const raw = block('NATS/1.0\r\ntraceparent-copy: no\r\ntrace: no\r\n\r\n');
    assert.equal(findHeaderValue(raw, 'traceparent'), undefined);
  });

  test('never reads the status line as a header, and reads headers after a status with a description', () => {
    assert.equal(findHeaderValue(block('NATS/1.0 503 traceparent: nope\r\n\r\n'), 'traceparent'), undefined);
    assert.equal(findHeaderValue(block('NATS/1.0 100 Idle Heartbeat\r\nx-a: 1\r\n\r\n'), 'x-a'), '1');
  });

  test('an empty value or a missing header is undefined', () => {
    assert.equal(findHeaderValue(block('NATS/1.0\r\ntraceparent:   \r\n\r\n'), 'traceparent'), undefined);
    assert.equal(findHeaderValue(block('NATS/1.0\r\n\r\n'), 'traceparent'), undefined);
    assert.equal(findHeaderValue(block('NATS/1.0'), 'traceparent'), undefined);
  });

  test('tolerates a block cut short of its final CRLF', () => {
    assert.equal(findHeaderValue(block('NATS/1.0\r\nx-a: 1'), 'x-a'), '1');
  });

  test('agrees with the header map nats.js builds from the same block', () => {
    const raw = block(`NATS/1.0\r\nNats-Msg-Id: id-1\r\ntraceparent: ${TRACEPARENT}\r\ntracestate:vendor=a,other=b\r\n\r\n`);
    const hdrs = MsgHdrsImpl.decode(raw);
    for (const name of ['Nats-Msg-Id', 'traceparent', 'tracestate']) {
      assert.equal(findHeaderValue(raw, name.toLowerCase()), hdrs.get(name), name);
    }
  });
});

describe('remoteSpanContext turns a traceparent into the span context the W3C propagator would extract', () => {
  test('a valid traceparent is a remote context with its ids and flags', () => {
    assert.deepEqual(remoteSpanContext(TRACEPARENT), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
  });

  test('tracestate is kept', () => {
    assert.equal(remoteSpanContext(TRACEPARENT, 'vendor=a')?.traceState?.get('vendor'), 'a');
  });

  test('malformed or all-zero ids are no context, not an error', () => {
    for (const bad of [
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]) {
      assert.equal(remoteSpanContext(bad), undefined, bad);
    }
    assert.equal(remoteSpanContext(undefined), undefined);
  });
});
