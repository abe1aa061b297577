import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRICS, type MetricSpec, prometheusName } from './metricCatalog.ts';

/** Prometheus's text format, as a scrape expects it in its content-type. */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** OpenTelemetry name → the catalog's Prometheus name, for every metric of the catalog. */
const PROMETHEUS_NAMES: ReadonlyMap<string, string> = new Map(Object.values(METRICS).map((spec: MetricSpec) => [spec.name, prometheusName(spec)]));

/**
 * The collected metrics with each catalog instrument named as the catalog's `prometheusName`.
 * The Prometheus exporter (0.223) turns dots into underscores and adds `_total` to counters, but
 * adds no unit suffix (`_seconds`); renaming the data before it is serialized, rather than with a
 * View, keeps the OpenTelemetry names on the OTLP export, which reads the same instruments.
 * The serializer leaves a name that already ends in `_total` as it is.
 */
function withPrometheusNames(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: resourceMetrics.resource,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map((metric) => {
        const name = PROMETHEUS_NAMES.get(metric.descriptor.name);
        return name === undefined ? metric : { ...metric, descriptor: { ...metric.descriptor, name } };
      }),
    })),
  };
}

export { PROMETHEUS_CONTENT_TYPE, withPrometheusNames };
