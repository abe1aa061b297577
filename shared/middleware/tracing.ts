import { type Attributes, type Context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { isObject } from '../json/index.ts';
import { ATTR, contextFromTraceFields, markFailed, markFailedResults, type ResultLike, type Tracing } from '../telemetry/index.ts';

type Handler<TEvent, TResult> = (event: TEvent, lambdaContext: LambdaContext) => Promise<TResult>;

/**
 * A flush after an invocation waits at least this long after the previous one. A lone invocation
 * (the case where Lambda may freeze the process with spans still buffered) is flushed as it ends;
 * under load one export carries the spans of many invocations instead of one export each, which
 * the bench measured at several µs of CPU per event and a third of the throughput.
 */
const FLUSH_INTERVAL_MS = 1000;

/** Each running invocation's span context, by its Lambda context object (the one middy hands the handler). */
const invocations = new WeakMap<object, Context>();

/**
 * The trace context of the invocation `lambdaContext` belongs to: the parent for spans the
 * handler starts (a sink write, a replay). ROOT_CONTEXT when tracing is off.
 */
function invocationTrace(lambdaContext: LambdaContext | undefined): Context {
  return (lambdaContext === undefined ? undefined : invocations.get(lambdaContext)) ?? ROOT_CONTEXT;
}

function requestAttributes(stage: string, event: unknown, lambdaContext: LambdaContext | undefined): Attributes {
  const records = isObject(event) && Array.isArray(event.records) ? event.records.length : undefined;
  return {
    [ATTR.stage]: stage,
    'faas.name': lambdaContext?.functionName ?? stage,
    ...(lambdaContext?.awsRequestId === undefined ? {} : { 'faas.invocation_id': lambdaContext.awsRequestId }),
    ...(records === undefined ? {} : { [ATTR.batchCount]: records }),
  };
}

function resultsOf(result: unknown): readonly ResultLike[] | undefined {
  return isObject(result) && Array.isArray(result.results) ? (result.results as ResultLike[]) : undefined;
}

/**
 * Runs a function's whole (middy) handler in an `ingest.<stage>` SERVER span, child of the
 * context the request's `traceparent`/`tracestate` carry (the bridge's invoke span). The handler
 * finds the span's context with `invocationTrace(lambdaContext)` for the spans it starts. Failed
 * records in the answer, or a thrown error, set ERROR status with their reasons.
 *
 * A wrapper around the handler rather than a middy middleware, so the span covers every middleware
 * and the flush comes after all of them. The context is passed, never made active: an active
 * context needs AsyncLocalStorage, whose hooks slow every promise of the process. After every
 * invocation the span processor is flushed (within a short deadline, never failing the
 * invocation), because Lambda may freeze the process as soon as the handler returns; at most once
 * per FLUSH_INTERVAL_MS, the spans in between leave with the next flush or the processor's timer.
 * With tracing off the handler is returned as it is.
 */
function tracedHandler<TEvent, TResult>(stage: string, tracing: Tracing, handler: Handler<TEvent, TResult>): Handler<TEvent, TResult> {
  if (!tracing.enabled) return handler;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  return async (event, lambdaContext) => {
    // The bridge's readiness probe (`{"records": []}`) does nothing: no span for it.
    if (isObject(event) && Array.isArray(event.records) && event.records.length === 0) return handler(event, lambdaContext);
    const parent = isObject(event) ? contextFromTraceFields(event as { traceparent?: string; tracestate?: string }) : ROOT_CONTEXT;
    const span = tracing.tracer.startSpan(`ingest.${stage}`, { kind: SpanKind.SERVER, attributes: requestAttributes(stage, event, lambdaContext) }, parent);
    if (isObject(lambdaContext)) invocations.set(lambdaContext, trace.setSpan(parent, span));
    try {
      const result = await handler(event, lambdaContext);
      const results = resultsOf(result);
      if (results !== undefined) markFailedResults(span, results);
      return result;
    } catch (error) {
      const reason = isObject(error) && typeof error.reason === 'string' ? error.reason : (error as Error).name;
      markFailed(span, reason, (error as Error).message);
      throw error;
    } finally {
      span.end();
      if (isObject(lambdaContext)) invocations.delete(lambdaContext);
      const now = Date.now();
      if (now - lastFlushAt >= FLUSH_INTERVAL_MS) {
        lastFlushAt = now;
        await tracing.flush();
      }
    }
  };
}

export { invocationTrace, tracedHandler };
