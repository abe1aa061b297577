import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headers as createHeaders } from '@nats-io/nats-core';
import { ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { batchParent } from '../../bridge/tracedBatch.ts';
import { describeRecordProblems, RAW_RECORD } from '../../shared/contracts/index.ts';
import {
  contextFromHeaders,
  contextFromStoredHeaders,
  contextFromTraceFields,
  spanContextOf,
  startTracing,
  traceFieldsOf,
  withTraceHeaders,
} from '../../shared/telemetry/index.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`;

function remote(traceId: string, spanId: string): SpanContext {
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

const inTrace = (spanContext: SpanContext) => trace.setSpanContext(ROOT_CONTEXT, spanContext);

describe('W3C trace context in NATS headers', () => {
  test('a context injected into headers is the context extracted from them', () => {
    const headers = withTraceHeaders(undefined, inTrace({ ...remote(TRACE, SPAN), traceState: undefined }));
    assert.ok(headers !== undefined);
    assert.equal(headers.get('traceparent'), TRACEPARENT);
    const extracted = spanContextOf(contextFromHeaders(headers));
    assert.deepEqual(
      { traceId: extracted?.traceId, spanId: extracted?.spanId, flags: extracted?.traceFlags, remote: extracted?.isRemote },
      { traceId: TRACE, spanId: SPAN, flags: TraceFlags.SAMPLED, remote: true },
    );
  });

  test('tracestate travels with traceparent', () => {
    const headers = createHeaders();
    headers.set('traceparent', TRACEPARENT);
    headers.set('tracestate', 'vendor=value');
    const extracted = spanContextOf(contextFromHeaders(headers));
    assert.equal(extracted?.traceState?.serialize(), 'vendor=value');
    const again = withTraceHeaders(createHeaders(), contextFromHeaders(headers));
    assert.equal(again?.get('tracestate'), 'vendor=value');
  });

  test('header names are matched without regard to case, and an injected value replaces the old one', () => {
    const headers = createHeaders();
    headers.set('Traceparent', `00-${TRACE}-${'1'.repeat(16)}-01`);
    assert.equal(spanContextOf(contextFromHeaders(headers))?.spanId, '1'.repeat(16));
    withTraceHeaders(headers, inTrace(remote(TRACE, SPAN)));
    assert.deepEqual(headers.values('traceparent', 'insensitive'), [TRACEPARENT]);
  });

  test('no trace, no headers: a publish outside a trace sends what it sent before', () => {
    assert.equal(withTraceHeaders(undefined, ROOT_CONTEXT), undefined);
    const own = createHeaders();
    own.set('Nats-Msg-Id', 'e1');
    assert.equal(withTraceHeaders(own, ROOT_CONTEXT), own);
    assert.deepEqual(own.keys(), ['Nats-Msg-Id']);
  });

  test('a malformed or missing traceparent leaves the base context as it is', () => {
    const headers = createHeaders();
    headers.set('traceparent', '00-not-a-trace-01');
    assert.equal(contextFromHeaders(headers), ROOT_CONTEXT);
    assert.equal(contextFromHeaders(undefined), ROOT_CONTEXT);
    assert.equal(contextFromHeaders(createHeaders()), ROOT_CONTEXT);
    assert.equal(spanContextOf(contextFromTraceFields({ traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` })), undefined, 'an all-zero trace id is invalid');
  });

  test("a dead letter's stored header map and a request's fields carry the same context", () => {
    assert.equal(spanContextOf(contextFromStoredHeaders({ TraceParent: [TRACEPARENT], 'Nats-Msg-Id': ['e1'] }))?.traceId, TRACE);
    assert.equal(spanContextOf(contextFromStoredHeaders({ 'Nats-Msg-Id': ['e1'] })), undefined);
    const fields = traceFieldsOf(inTrace(remote(TRACE, SPAN)));
    assert.deepEqual(fields, { traceparent: TRACEPARENT });
    assert.equal(spanContextOf(contextFromTraceFields(fields))?.spanId, SPAN);
    assert.deepEqual(traceFieldsOf(ROOT_CONTEXT), {});
  });
});

describe('the batch rule', () => {
  const a1 = remote(TRACE, SPAN);
  const a2 = remote(TRACE, '2'.repeat(16));
  const b = remote('f'.repeat(32), '3'.repeat(16));

  test("a batch whose messages all belong to one trace joins it, as the first message's child, linked to each", () => {
    const { parent, links } = batchParent([a1, a2]);
    assert.equal(trace.getSpanContext(parent)?.spanId, SPAN);
    assert.deepEqual(
      links.map((link) => link.context.spanId),
      [SPAN, '2'.repeat(16)],
    );
  });

  test('a batch of several traces, or with a message without one, starts its own trace and links the rest', () => {
    for (const contexts of [[a1, b], [a1, undefined], [undefined]]) {
      const { parent, links } = batchParent(contexts);
      assert.equal(trace.getSpanContext(parent), undefined);
      assert.equal(links.length, contexts.filter((c) => c !== undefined).length);
    }
  });
});

describe('tracing set-up', () => {
  const config = {
    disabled: false,
    serviceName: 'unit',
    tracesEndpoint: 'http://127.0.0.1:1/v1/traces',
    metricsEndpoint: undefined,
    metricExportIntervalMs: 60_000,
  };

  test('without a traces endpoint, or with the SDK disabled, tracing is off and its spans record nothing', async () => {
    for (const off of [startTracing({ ...config, tracesEndpoint: undefined }), startTracing({ ...config, disabled: true })]) {
      assert.equal(off.enabled, false);
      const span = off.tracer.startSpan('x');
      assert.equal(span.isRecording(), false);
      span.end();
      await off.flush();
      await off.shutdown();
    }
  });
});

describe('stage requests carry the trace context', () => {
  const record = { id: '1', subject: 'a.b.v1', payload: 'AQID', publishedAtMs: 0 };

  test('traceparent and tracestate are accepted as strings, refused as anything else', () => {
    assert.deepEqual(describeRecordProblems({ records: [record], traceparent: TRACEPARENT, tracestate: 'a=b' }, RAW_RECORD), []);
    assert.deepEqual(describeRecordProblems({ records: [record], traceparent: 7, tracestate: {} }, RAW_RECORD), [
      'traceparent must be a string when present',
      'tracestate must be a string when present',
    ]);
  });
});
