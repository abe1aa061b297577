export { METRICS, type MetricKey, type MetricKind, type MetricSpec, prometheusName, UNKNOWN_ROUTE } from './metricCatalog.ts';
export { createMetrics, type Metrics } from './meterProvider.ts';
export { PROMETHEUS_CONTENT_TYPE, withPrometheusNames } from './prometheusText.ts';
