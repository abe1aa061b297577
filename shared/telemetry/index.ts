export { METRICS, type MetricKey, type MetricKind, type MetricSpec, prometheusName, UNKNOWN_ROUTE } from './metricCatalog.ts';
export { ATTR, MESSAGING_SYSTEM_NATS, markFailed, markFailedResults, SPAN } from './spanAttributes.ts';
export type { ResultLike } from './spanAttributes.ts';
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
} from './traceContext.ts';
export type { StoredHeaders, TraceFields } from './traceContext.ts';
export { startTracing, TRACER_NAME, TRACING_OFF } from './tracing.ts';
export type { Tracing, TracingOptions } from './tracing.ts';
export {
  BRIDGE_LAG_METRIC,
  type CloudWatchUnit,
  FUNCTION_METRIC_DIMENSIONS,
  FUNCTION_METRICS,
  FUNCTION_METRICS_NAMESPACE,
  type FunctionMetricKey,
  type FunctionMetricSpec,
  REASON_DIMENSION,
} from './functionMetrics.ts';
export { createMetrics, type Metrics } from './meterProvider.ts';
export { PROMETHEUS_CONTENT_TYPE, withPrometheusNames } from './prometheusText.ts';
