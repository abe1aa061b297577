import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Context as LambdaContext } from 'aws-lambda';
import type { StageInvoker } from '../../bridge/stageInvoker.ts';
import { tracedInvoker } from '../../bridge/tracedInvoker.ts';
import { inDeadLetterSpan } from '../../bridge/deadLetterSpan.ts';
import { headers as createHeaders } from '@nats-io/nats-core';
import type { ValidateRequest } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import { invocationTrace, tracedHandler } from '../../shared/middleware/index.ts';
import { spanContextOf, contextFromTraceFields, type Tracing } from '../../shared/telemetry/index.ts';

// The real SDK with an in-memory exporter: what the decorators make of invokes and invocations.
// No context manager is registered: the plane passes contexts, it never relies on an active one.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('unit');

after(async () => {
  await provider.shutdown();
});

const record = { id: '1', subject: 'a.b.v1', payload: 'AQID', publishedAtMs: 0 };
const failure = (reason: FailureReason) => new IngestError(Stage.validate, reason, `${reason} happened`, { retryable: false }).toFailure();

describe('the traced stage invoker', () => {
  test("each invoke is a CLIENT span under the batch's, and the request carries that span as its traceparent", async () => {
    exporter.reset();
    const seen: ValidateRequest[] = [];
    const inner = {
      validate: async (request: ValidateRequest) => {
        seen.push(request);
        return { results: [{ id: '1', ok: false as const, failure: failure(FailureReason.avroDecodeFailed) }] };
      },
    } as unknown as StageInvoker;
    const batchSpan = tracer.startSpan('batch');
    await tracedInvoker(inner, tracer, trace.setSpan(ROOT_CONTEXT, batchSpan)).validate({ records: [record] });
    batchSpan.end();
    const [invoke, batch] = exporter.getFinishedSpans();
    assert.equal(invoke?.name, 'ingest.invoke validate');
    assert.equal(invoke?.parentSpanContext?.spanId, batch?.spanContext().spanId);
    assert.equal(spanContextOf(contextFromTraceFields(seen[0]!))?.spanId, invoke?.spanContext().spanId);
    assert.equal(invoke?.attributes['ingest.stage'], 'validate');
    assert.equal(invoke?.attributes['messaging.batch.message_count'], 1);
    assert.equal(invoke?.attributes['ingest.records.failed'], 1);
    assert.equal(invoke?.status.code, SpanStatusCode.ERROR);
    assert.match(invoke?.status.message ?? '', /avro_decode_failed: avro_decode_failed happened/);
  });

  test('an invoke that throws is an ERROR span with its reason, and the error goes on', async () => {
    exporter.reset();
    const inner = {
      route: async () => {
        throw new IngestError(Stage.route, FailureReason.invokeFailed, 'route: connection refused', { retryable: true });
      },
    } as unknown as StageInvoker;
    await assert.rejects(tracedInvoker(inner, tracer, ROOT_CONTEXT).route({ records: [{ id: 'a.b.v1', subject: 'a.b.v1' }] }), /connection refused/);
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.attributes['error.type'], 'invoke_failed');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
  });
});

describe('the traced function handler', () => {
  let flushes = 0;
  const tracing: Tracing = {
    enabled: true,
    tracer,
    flush: async () => {
      flushes++;
    },
    shutdown: async () => {},
  };
  const lambdaContext = { functionName: 'ingest-validate', awsRequestId: 'req-1' } as LambdaContext;

  test("runs the handler in a SERVER span continuing the request's traceparent, and flushes after each invocation", async () => {
    exporter.reset();
    let active: string | undefined;
    const handler = tracedHandler('validate', tracing, async (_event: unknown, invocation: LambdaContext) => {
      active = spanContextOf(invocationTrace(invocation))?.spanId;
      return { results: [{ id: '1', ok: true as const }] };
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await handler({ records: [record], traceparent }, lambdaContext);
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'ingest.validate');
    assert.equal(span?.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span?.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(active, span?.spanContext().spanId, "the handler finds its span's context by its Lambda context");
    assert.equal(spanContextOf(invocationTrace(lambdaContext)), undefined, 'forgotten once the invocation ended');
    assert.equal(span?.attributes['faas.invocation_id'], 'req-1');
    assert.equal(span?.status.code, SpanStatusCode.UNSET);
    assert.equal(flushes, 1);
  });

  test('a handler that throws: ERROR span, the error goes on, and the spans are still flushed', async () => {
    exporter.reset();
    const handler = tracedHandler('route', tracing, async () => {
      throw new Error('bad request');
    });
    await assert.rejects(handler({ records: [record] }, lambdaContext), /bad request/);
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.parentSpanContext, undefined, 'no traceparent: a root span');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(flushes, 2);
  });

  test('back-to-back invocations share a flush: the first is flushed as it ends, the next ones within the interval are not', async () => {
    const before = flushes;
    const handler = tracedHandler('route', tracing, async () => ({ results: [{ id: '1', ok: true as const }] }));
    await handler({ records: [record] }, lambdaContext);
    await handler({ records: [record] }, lambdaContext);
    await handler({ records: [record] }, lambdaContext);
    assert.equal(flushes - before, 1);
  });

  test("an empty request (the bridge's readiness probe) gets no span", async () => {
    exporter.reset();
    await tracedHandler('route', tracing, async () => ({ results: [] }))({ records: [] }, lambdaContext);
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });

  test('with tracing off the handler is left as it is', () => {
    const handler = async (): Promise<number> => 1;
    assert.equal(tracedHandler('route', { ...tracing, enabled: false }, handler), handler);
  });
});

describe('the dead-letter span', () => {
  const failed = failure(FailureReason.avroDecodeFailed);
  const facts = (headers: ReturnType<typeof createHeaders> | undefined) => ({
    subject: 'dlq.a.b.v1',
    letterId: 'INGEST:7',
    failure: failed,
    routeKey: 'a.b.v1',
    eventId: null,
    headers,
  });

  test("is the message's child, linked to the batch, ERROR with the reason; the letter gets its context", async () => {
    exporter.reset();
    const headers = createHeaders();
    headers.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    let stored: { traceparent?: string } = {};
    const batchSpan = tracer.startSpan('batch');
    await inDeadLetterSpan(
      tracer,
      facts(headers),
      async (fields) => {
        stored = fields;
      },
      trace.setSpan(ROOT_CONTEXT, batchSpan),
    );
    batchSpan.end();
    const [letter, batch] = exporter.getFinishedSpans();
    assert.equal(letter?.name, 'ingest.dead_letter');
    assert.equal(letter?.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(letter?.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.deepEqual(
      letter?.links.map((link) => link.context.spanId),
      [batch?.spanContext().spanId],
    );
    assert.equal(letter?.status.code, SpanStatusCode.ERROR);
    assert.equal(letter?.attributes['error.type'], 'avro_decode_failed');
    assert.equal(stored.traceparent?.split('-')[2], letter?.spanContext().spanId);
  });

  test('a message without a context: its letter hangs under the batch; a letter not stored says so', async () => {
    exporter.reset();
    const batchSpan = tracer.startSpan('batch');
    await assert.rejects(
      inDeadLetterSpan(
        tracer,
        facts(undefined),
        async () => {
          throw new Error('stream unavailable');
        },
        trace.setSpan(ROOT_CONTEXT, batchSpan),
      ),
      /stream unavailable/,
    );
    batchSpan.end();
    const [letter, batch] = exporter.getFinishedSpans();
    assert.equal(letter?.parentSpanContext?.spanId, batch?.spanContext().spanId);
    assert.equal(letter?.attributes['error.type'], 'dead_letter_publish_failed');
  });
});
