import { type Context, context, isSpanContextValid, ROOT_CONTEXT, type SpanContext, type TextMapGetter, type TextMapSetter, trace } from '@opentelemetry/api';
import { parseTraceParent, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { headers as createHeaders, Match, type MsgHdrs } from '@nats-io/nats-core';

// W3C trace context (`traceparent`, `tracestate`) where the plane carries it: NATS message headers,
// stored header maps (dead letters), and the `traceparent`/`tracestate` fields of stage requests.
// The format is the plane's wire contract, so these helpers use the W3C propagator directly rather
// than whatever propagator a host application registered globally.

const W3C = new W3CTraceContextPropagator();

/** Reads trace headers from NATS headers; header names are matched without regard to case. */
const natsHeaderGetter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => {
    const value = carrier.get(key, Match.IgnoreCase);
    return value === '' ? undefined : value;
  },
};

/** Writes trace headers into NATS headers, replacing any value already there. */
const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value, Match.IgnoreCase),
};

type StoredHeaders = Readonly<Record<string, readonly string[]>>;

/** Reads trace headers from a stored header map (a dead letter's original headers). */
const storedHeaderGetter: TextMapGetter<StoredHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const name = Object.keys(carrier).find((candidate) => candidate.toLowerCase() === key);
    return name === undefined ? undefined : carrier[name]?.[0];
  },
};

/** The trace context fields a stage request (or a dead letter) carries. */
type TraceFields = { readonly traceparent?: string; readonly tracestate?: string };

const fieldsSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const fieldsGetter: TextMapGetter<TraceFields> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === 'traceparent' ? carrier.traceparent : key === 'tracestate' ? carrier.tracestate : undefined),
};

/** The valid span context of `ctx`, or undefined when it has none. */
function spanContextOf(ctx: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Adds `traceparent` (and `tracestate`) for `ctx` to NATS headers; nothing when `ctx` has no valid span context. */
function injectTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): void {
  W3C.inject(ctx, headers, natsHeaderSetter);
}

/**
 * `headers` with the trace context of `ctx` added, creating headers only when there is a trace
 * to carry: a publish outside any trace sends no headers at all, as before.
 */
function withTraceHeaders(headers: MsgHdrs | undefined, ctx: Context = context.active()): MsgHdrs | undefined {
  if (spanContextOf(ctx) === undefined) return headers;
  const carrier = headers ?? createHeaders();
  injectTraceHeaders(carrier, ctx);
  return carrier;
}

/** The remote context a message's headers carry, on top of `base`; `base` itself when they carry none (or a malformed one). */
function contextFromHeaders(headers: MsgHdrs | undefined, base: Context = ROOT_CONTEXT): Context {
  return headers === undefined ? base : W3C.extract(base, headers, natsHeaderGetter);
}

/**
 * The remote span context of one `traceparent` (and `tracestate`) value pair, as the W3C
 * propagator would extract it, without building a Context: the bridge reads these from every
 * message of a batch, where a Context per message (a copied map each) would be pure garbage.
 */
function remoteSpanContext(traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  if (traceparent === undefined) return undefined;
  const parsed = parseTraceParent(traceparent);
  if (parsed === null || !isSpanContextValid(parsed)) return undefined;
  return tracestate === undefined ? { ...parsed, isRemote: true } : { ...parsed, isRemote: true, traceState: new TraceState(tracestate) };
}

/** The remote context a stored header map carries (a dead letter's original headers). */
function contextFromStoredHeaders(headers: StoredHeaders, base: Context = ROOT_CONTEXT): Context {
  return W3C.extract(base, headers, storedHeaderGetter);
}

/** `{traceparent, tracestate}` for `ctx`, for a stage request or a stored letter; empty when `ctx` has no valid span context. */
function traceFieldsOf(ctx: Context = context.active()): TraceFields {
  const carrier: Record<string, string> = {};
  W3C.inject(ctx, carrier, fieldsSetter);
  return carrier;
}

/** The remote context of a request's `traceparent`/`tracestate` fields; `base` when they are absent or malformed. */
function contextFromTraceFields(fields: TraceFields, base: Context = ROOT_CONTEXT): Context {
  if (typeof fields.traceparent !== 'string') return base;
  return W3C.extract(base, fields, fieldsGetter);
}

export {
  contextFromHeaders,
  contextFromStoredHeaders,
  contextFromTraceFields,
  injectTraceHeaders,
  natsHeaderGetter,
  natsHeaderSetter,
  remoteSpanContext,
  spanContextOf,
  storedHeaderGetter,
  traceFieldsOf,
  withTraceHeaders,
};
export type { StoredHeaders, TraceFields };
