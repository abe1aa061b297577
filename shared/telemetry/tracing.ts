import { context, propagation, ProxyTracerProvider, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../config/index.ts';

/** The instrumentation scope every span of the plane is created under. */
const TRACER_NAME = 'nats-ingest-plane';

/**
 * A process's tracing: its tracer, and how to push out what is still buffered. With tracing off
 * (no OTLP traces endpoint, or OTEL_SDK_DISABLED) the tracer is a no-op and `enabled` is false, so
 * callers can skip even the work of reading trace headers.
 */
type Tracing = {
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Exports the buffered spans; resolves (never rejects) within `deadlineMs` whatever the collector does. */
  flush(deadlineMs?: number): Promise<void>;
  /** Flushes and stops the exporter; for a process that exits. Never rejects. */
  shutdown(): Promise<void>;
};

type TracingOptions = {
  /** How long the batch processor gathers spans before an export (the SDK default is 5 s). */
  readonly scheduledDelayMillis?: number;
  /** How long one export may take before it is abandoned. */
  readonly exportTimeoutMillis?: number;
};

/** Short enough that a function's flush after each invocation cannot hold its answer long when the collector is gone. */
const DEFAULT_FLUSH_DEADLINE_MS = 2000;
const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;

const TRACING_OFF: Tracing = {
  enabled: false,
  // A provider of its own with no delegate: a no-op tracer whatever another library registered globally.
  tracer: new ProxyTracerProvider().getTracer(TRACER_NAME),
  flush: async () => {},
  shutdown: async () => {},
};

/** Resolves when `work` settles or the deadline passes, whichever is first; never rejects. */
async function within(work: Promise<unknown>, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
    timer.unref();
  });
  await Promise.race([work.then(noop, noop), deadline]);
  clearTimeout(timer);
}

function noop(): void {}

/**
 * Registers the global context manager (AsyncLocalStorage, so a span started for a batch is the
 * parent of everything awaited under it) and the W3C trace-context propagator. The API refuses a
 * second registration (false, and a diag line): a process that already has them keeps its own.
 */
function registerGlobals(): void {
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Starts tracing for this process as `config` says, or returns the no-op tracing when there is no
 * traces endpoint or the SDK is disabled (nothing is registered then, and spans cost a few
 * allocations at most).
 *
 * Each caller gets a tracer provider of its own, with its own `service.name`: serverless-offline
 * runs every function in one process, and a global provider would name them all after the first.
 * The provider is also registered as the global one when none is, so libraries that use the
 * global API (and the producer API) export through it.
 *
 * Spans leave through a BatchSpanProcessor: ended spans go to a bounded queue and are exported on
 * a timer, so the data path never waits for the collector; a full queue drops spans, and a failed
 * export is reported to OpenTelemetry's diag logger, never thrown.
 */
function startTracing(config: TelemetryConfig, options: TracingOptions = {}): Tracing {
  if (config.disabled || config.tracesEndpoint === undefined) return TRACING_OFF;
  const exporter = new OTLPTraceExporter({ url: config.tracesEndpoint, timeoutMillis: options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MS });
  const processor = new BatchSpanProcessor({
    exporter,
    ...(options.scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis: options.scheduledDelayMillis }),
    exportTimeoutMillis: options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MS,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [processor],
  });
  registerGlobals();
  // Refused (false) when another provider is already global: this one still serves its own tracer.
  trace.setGlobalTracerProvider(provider);
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer(TRACER_NAME),
    flush: (deadlineMs = DEFAULT_FLUSH_DEADLINE_MS) => within(provider.forceFlush({ timeoutMillis: deadlineMs }), deadlineMs),
    shutdown: () => {
      stopped ??= within(provider.shutdown(), DEFAULT_FLUSH_DEADLINE_MS * 2);
      return stopped;
    },
  };
}

export { startTracing, TRACER_NAME, TRACING_OFF };
export type { Tracing, TracingOptions };
