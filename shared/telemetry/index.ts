export { METRICS, type MetricKey, type MetricKind, type MetricSpec, prometheusName, UNKNOWN_ROUTE } from './metricCatalog.ts';
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
