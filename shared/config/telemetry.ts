import { type Env, EnvReader } from './env.ts';

/**
 * OpenTelemetry settings, read with the SDK's own variable names so an operator's usual
 * `OTEL_*` environment works unchanged. Exporting is optional: with no OTLP endpoint nothing is
 * sent anywhere (the bridge's Prometheus endpoint still answers).
 */
type TelemetryConfig = {
  /** OTEL_SDK_DISABLED=true: no metrics SDK and no tracing (instruments become no-ops). */
  readonly disabled: boolean;
  /** OTEL_SERVICE_NAME, else the process's own name (`ingest-bridge`, `ingest-validate`, …). */
  readonly serviceName: string;
  /** OTLP/HTTP traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`). */
  readonly tracesEndpoint: string | undefined;
  /** OTLP/HTTP metrics URL (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/metrics`). */
  readonly metricsEndpoint: string | undefined;
  /** How often metrics are pushed to the OTLP endpoint (OTEL_METRIC_EXPORT_INTERVAL). */
  readonly metricExportIntervalMs: number;
};

/** The bridge's own HTTP port: `/metrics` (Prometheus text), `/healthz` and `/readyz`. */
type BridgeHttpConfig = {
  /** BRIDGE_HTTP_PORT; 0 turns the server off. */
  readonly port: number;
  readonly host: string;
};

const OTLP_PROTOCOLS = ['http:', 'https:'];

/** An OTLP/HTTP signal URL: the signal's own variable as given, else the base endpoint plus the signal's path. */
function signalEndpoint(reader: EnvReader, signalKey: string, base: string | undefined, path: string): string | undefined {
  const own = reader.optionalString(signalKey);
  if (own !== undefined) return reader.url(signalKey, own, OTLP_PROTOCOLS);
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, '')}${path}`;
}

function readTelemetry(reader: EnvReader, defaultServiceName: string): TelemetryConfig {
  const baseRaw = reader.optionalString('OTEL_EXPORTER_OTLP_ENDPOINT');
  const base = baseRaw === undefined ? undefined : reader.url('OTEL_EXPORTER_OTLP_ENDPOINT', baseRaw, OTLP_PROTOCOLS);
  return {
    disabled: reader.boolean('OTEL_SDK_DISABLED', false),
    serviceName: reader.string('OTEL_SERVICE_NAME', defaultServiceName),
    tracesEndpoint: signalEndpoint(reader, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', base, '/v1/traces'),
    metricsEndpoint: signalEndpoint(reader, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', base, '/v1/metrics'),
    metricExportIntervalMs: reader.integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, { min: 1000, max: 3_600_000 }),
  };
}

function readBridgeHttp(reader: EnvReader): BridgeHttpConfig {
  return {
    port: reader.integer('BRIDGE_HTTP_PORT', 9464, { min: 0, max: 65_535 }),
    host: reader.string('BRIDGE_HTTP_HOST', '0.0.0.0'),
  };
}

/** Telemetry settings alone, for a process that needs nothing else (a producer, the CLI). */
function loadTelemetryConfig(env: Env = process.env, defaultServiceName = 'ingest'): TelemetryConfig {
  const reader = new EnvReader(env);
  const config = readTelemetry(reader, defaultServiceName);
  reader.done();
  return config;
}

export { loadTelemetryConfig, readBridgeHttp, readTelemetry };
export type { BridgeHttpConfig, TelemetryConfig };
