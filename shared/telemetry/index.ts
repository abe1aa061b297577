export { METRICS, type MetricKey, type MetricKind, type MetricSpec, prometheusName, UNKNOWN_ROUTE } from './metricCatalog.ts';
