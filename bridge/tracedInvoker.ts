import { type Attributes, type Context, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { TracedRequest } from '../shared/contracts/index.ts';
import { IngestError } from '../shared/failures/index.ts';
import { sinkIdentity, type SinkTarget } from '../shared/sinks/index.ts';
import { ATTR, markFailed, markFailedResults, type ResultLike, SPAN, traceFieldsOf } from '../shared/telemetry/index.ts';
import type { StageInvoker } from './stageInvoker.ts';

/** What every stage request and answer share, as far as tracing reads them. */
type Request = TracedRequest & { readonly records: readonly unknown[] };
type Response = { readonly results: readonly ResultLike[] };

function targetAttributes(target: SinkTarget): Attributes {
  const identity = sinkIdentity(target) as string | undefined;
  return { [ATTR.sinkKind]: String(target.kind), ...(identity === undefined ? {} : { [ATTR.sink]: identity }) };
}

/**
 * The bridge's StageInvoker with a CLIENT span around every invoke (`ingest.invoke validate`,
 * `… route`, `… sink-write`, `… sink-check`), child of `parent` (the batch span: one traced
 * invoker per batch, as contexts are passed, never made active; see tracedBatch.ts), and
 * that span's W3C context in the request's `traceparent`/`tracestate`, so the function's handler
 * span continues the trace across the Lambda boundary. A thrown invoke, and failed records in an
 * answer, set ERROR status with their reasons. Wraps only when tracing is on.
 */
function tracedInvoker(inner: StageInvoker, tracer: Tracer, parent: Context): StageInvoker {
  function traced<Req extends Request, Res extends Response>(
    operation: string,
    stage: string,
    attributes: Attributes,
    request: Req,
    invoke: (request: Req) => Promise<Res>,
  ): Promise<Res> {
    const spanAttributes = { [ATTR.stage]: stage, [ATTR.batchCount]: request.records.length, ...attributes };
    const span = tracer.startSpan(`${SPAN.invoke} ${operation}`, { kind: SpanKind.CLIENT, attributes: spanAttributes }, parent);
    // The invoke span's context is what the function's handler span continues.
    return invoke({ ...request, ...traceFieldsOf(trace.setSpan(parent, span)) }).then(
      (response) => {
        markFailedResults(span, response.results);
        span.end();
        return response;
      },
      (error: unknown) => {
        markFailed(span, error instanceof IngestError ? error.reason : 'invoke_failed', (error as Error).message);
        span.end();
        throw error;
      },
    );
  }
  return {
    validate: (request) => traced('validate', 'validate', {}, request, (traced) => inner.validate(traced)),
    route: (request) => traced('route', 'route', {}, request, (traced) => inner.route(traced)),
    sinkWrite: (request) => traced('sink-write', 'sink-write', targetAttributes(request.target), request, (traced) => inner.sinkWrite(traced)),
    checkDelivery: (request) => traced('sink-check', 'sink-write', targetAttributes(request.target), request, (traced) => inner.checkDelivery(traced)),
  };
}

export { tracedInvoker };
