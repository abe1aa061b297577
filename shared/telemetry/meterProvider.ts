import { createNoopMeter, type Meter } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { TelemetryConfig } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { withPrometheusNames } from './prometheusText.ts';

/** A process's metrics: the meter its instruments come from, the Prometheus text of a scrape, and the shutdown. */
type Metrics = {
  readonly meter: Meter;
  /** Prometheus text (format 0.0.4) of everything recorded so far, each catalog metric under its `prometheusName`. */
  scrape(): Promise<string>;
  /** Exports what the OTLP reader has not sent yet (when there is one) and stops the readers. */
  shutdown(): Promise<void>;
};

/**
 * Hands each export to the OTLP exporter and logs a failure, then reports success to the reader:
 * the periodic reader runs off the data path on its own timer, and a dead collector must change
 * nothing but a warning line (one per failed export, i.e. at most one per export interval).
 */
class LoggingExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  readonly #logger: Logger;
  readonly #endpoint: string;

  constructor(inner: PushMetricExporter, logger: Logger, endpoint: string) {
    this.#inner = inner;
    this.#logger = logger;
    this.#endpoint = endpoint;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS)
        this.#logger.warn('metrics export failed', { endpoint: this.#endpoint, error: result.error?.message ?? 'unknown' });
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE;
  }
}

/**
 * The OpenTelemetry metrics SDK for one process: a MeterProvider whose Prometheus reader is
 * scraped through `scrape()` (the exporter's own server stays off; the process serves the text on
 * its own port), plus a periodic OTLP/HTTP reader when a metrics endpoint is configured. With
 * `disabled` (OTEL_SDK_DISABLED) the meter's instruments are no-ops and a scrape is empty.
 */
function createMetrics(config: TelemetryConfig, logger: Logger): Metrics {
  if (config.disabled) return { meter: createNoopMeter(), scrape: async () => '', shutdown: async () => {} };
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers = [prometheus];
  const periodic =
    config.metricsEndpoint === undefined
      ? undefined
      : new PeriodicExportingMetricReader({
          exporter: new LoggingExporter(new OTLPMetricExporter({ url: config.metricsEndpoint }), logger, config.metricsEndpoint),
          exportIntervalMillis: config.metricExportIntervalMs,
          exportTimeoutMillis: Math.min(config.metricExportIntervalMs, 10_000),
        });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    readers: periodic === undefined ? readers : [...readers, periodic],
  });
  // The exporter's own serializer, with its defaults; fed the renamed data (prometheusText.ts).
  const serializer = new PrometheusSerializer();
  return {
    meter: provider.getMeter(config.serviceName),
    async scrape() {
      const { resourceMetrics, errors } = await prometheus.collect();
      if (errors.length > 0) logger.warn('metrics collection errors', { errors: errors.map((error) => String(error)) });
      return serializer.serialize(withPrometheusNames(resourceMetrics));
    },
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => logger.warn('metrics shutdown failed', { error }));
    },
  };
}

export { createMetrics };
export type { Metrics };
