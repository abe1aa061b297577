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
  /**
   * Exports the buffered spans; resolves (never rejects) within `deadlineMs` whatever the
   * collector does. After a flush that failed or ran out of time it returns at once for a while
   * (the spans then leave on the processor's own timer), so a dead collector costs a function one
   * deadline per FLUSH_QUIET_MS, not one per invocation.
   */
  flush(deadlineMs?: number): Promise<void>;
  /** Flushes and stops the exporter; for a process that exits. Never rejects. */
  shutdown(): Promise<void>;
};

/**
 * How long a function's flush after an invocation may hold its answer. A collector beside the
 * function (the usual Lambda set-up) answers in milliseconds; a dead one would otherwise hold each
 * invocation for the exporter's retries (1 s and more apart).
 */
const DEFAULT_FLUSH_DEADLINE_MS = 500;
/** What a process's shutdown may wait for its last export. */
const SHUTDOWN_DEADLINE_MS = 4000;
/** One export's limit, retries included (the SDK's 30 s would keep a dead collector's batches long). */
const EXPORT_TIMEOUT_MS = 10_000;
/** How long flushes are skipped after one failed. */
const FLUSH_QUIET_MS = 60_000;

const TRACING_OFF: Tracing = {
  enabled: false,
  // A provider of its own with no delegate: a no-op tracer whatever another library registered globally.
  tracer: new ProxyTracerProvider().getTracer(TRACER_NAME),
  flush: async () => {},
  shutdown: async () => {},
};

/** Whether `work` succeeded before the deadline; never rejects, never waits past the deadline. */
async function succeedsWithin(work: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
    timer.unref();
  });
  const outcome = await Promise.race([work.then(yes, no), deadline]);
  clearTimeout(timer);
  return outcome;
}

const yes = (): boolean => true;
const no = (): boolean => false;

/** How a process wants its tracing. */
type TracingOptions = {
  /**
   * Register the AsyncLocalStorage context manager, so `context.active()`, `context.with` and
   * `startActiveSpan` work: for an application that publishes through the producer API inside
   * its own spans. The bridge and the functions pass contexts explicitly instead and leave it off:
   * once any AsyncLocalStorage runs, Node's promise hooks slow every promise of the process (the
   * bench measured tens of percent of their CPU per event), and the span processor's own export
   * runs one. A context manager already registered is kept.
   */
  readonly activeContext?: boolean;
};

/**
 * The W3C trace-context propagator as the global one (for libraries that use the global API; the
 * plane's own code uses it directly), and when asked the AsyncLocalStorage context manager. The
 * API refuses a second registration (false, and a diag line): what a process has stays.
 */
function registerGlobals(options: TracingOptions): void {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (options.activeContext !== true) return;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
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
  const exporter = new OTLPTraceExporter({ url: config.tracesEndpoint, timeoutMillis: EXPORT_TIMEOUT_MS });
  // The SDK's defaults otherwise: exports every 5 s, at most 512 spans each, 2048 queued at most.
  const processor = new BatchSpanProcessor({ exporter, exportTimeoutMillis: EXPORT_TIMEOUT_MS });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [processor],
  });
  registerGlobals(options);
  // Refused (false) when another provider is already global: this one still serves its own tracer.
  trace.setGlobalTracerProvider(provider);
  let stopped: Promise<void> | undefined;
  let quietUntil = 0;
  return {
    enabled: true,
    tracer: provider.getTracer(TRACER_NAME),
    async flush(deadlineMs = DEFAULT_FLUSH_DEADLINE_MS) {
      if (Date.now() < quietUntil) return;
      if (!(await succeedsWithin(provider.forceFlush({ timeoutMillis: deadlineMs }), deadlineMs))) quietUntil = Date.now() + FLUSH_QUIET_MS;
    },
    shutdown() {
      stopped ??= succeedsWithin(provider.shutdown(), SHUTDOWN_DEADLINE_MS).then(() => undefined);
      return stopped;
    },
  };
}

export { startTracing, TRACER_NAME, TRACING_OFF };
export type { Tracing, TracingOptions };
