import type { JsMsg } from '@nats-io/jetstream';
import type { SpanContext } from '@opentelemetry/api';
import { findHeaderValue, RAW_HEADERS_UNAVAILABLE, rawHeaderBlock } from '../shared/nats/index.ts';
import { contextFromHeaders, remoteSpanContext, spanContextOf } from '../shared/telemetry/index.ts';

/**
 * The trace context a message's producer put in its headers, or undefined. Read from the raw
 * header block (one scan for the one header) because parsing every message's headers into a map
 * and a Context cost more than the whole tracing budget per event (see rawHeaders.ts); the
 * header map is the fallback for a nats.js that keeps the block elsewhere.
 */
function messageSpanContext(msg: JsMsg): SpanContext | undefined {
  const block = rawHeaderBlock(msg);
  if (block === undefined) return undefined;
  if (block === RAW_HEADERS_UNAVAILABLE) return spanContextOf(contextFromHeaders(msg.headers));
  const traceparent = findHeaderValue(block, 'traceparent');
  return traceparent === undefined ? undefined : remoteSpanContext(traceparent, findHeaderValue(block, 'tracestate'));
}

export { messageSpanContext };
