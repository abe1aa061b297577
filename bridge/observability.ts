import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import type { NatsConnection } from '../shared/nats/index.ts';
import { createMetrics } from '../shared/telemetry/index.ts';
import { CachedProbe } from './cachedProbe.ts';
import { type HealthServer, startHealthServer } from './healthServer.ts';
import { INVOKED_STAGES, type InvokedStage, measureInvoker, type StageAnswers } from './measuredInvoker.ts';
import { BridgeInstruments } from './metrics.ts';
import { observeServerGauges } from './observedGauges.ts';
import { startingReport } from './readiness.ts';
import { checkReadiness, emptyInvoke, type ReadinessDeps, watchConnection } from './readinessChecks.ts';
import type { StageInvoker } from './stageInvoker.ts';

// How long a consumer, dead-letter or stage probe answer is reused, and how recent a stage's last
// successful invoke must be for readiness to trust it without a probe.
const PROBE_TTL_MS = 5000;
const FRESH_ANSWER_MS = 10_000;

type ClosableInvoker = StageInvoker & { close?(): Promise<void> };

/** The bridge process's metrics and health, as process.ts wires them in. */
type BridgeObservability = {
  readonly instruments: BridgeInstruments;
  /** The invoker, measured (measuredInvoker.ts); `close` closes the one it wraps. */
  readonly invoker: StageInvoker & StageAnswers & { close(): Promise<void> };
  /** Opens the HTTP port (unless BRIDGE_HTTP_PORT is 0): before NATS, so a taken port fails the start at once. */
  startServer(): Promise<void>;
  /** Once connected: the gauges read from the server, and readiness's real checks (until then: "starting"). */
  connected(nc: NatsConnection, jsm: JetStreamManager): void;
  /**
   * The bridge consumer's info from the same cached probe the lag gauges and readiness read, so the
   * `bridge stats` line adds no round trip of its own. Rejects before `connected`.
   */
  consumerInfo(): Promise<ConsumerInfo>;
  /** After the drain: closes the port, and pushes what OTLP has not sent yet. */
  close(): Promise<void>;
};

function createBridgeObservability(config: BridgeConfig, logger: Logger, invoker: ClosableInvoker): BridgeObservability {
  const metrics = createMetrics(config.telemetry, logger);
  const instruments = new BridgeInstruments(metrics.meter);
  const measured = { ...measureInvoker(invoker, instruments), close: () => invoker.close?.() ?? Promise.resolve() };
  let readiness: ReadinessDeps | undefined;
  let consumerProbe: CachedProbe<ConsumerInfo> | undefined;
  let server: HealthServer | undefined;
  const { nats } = config;

  return {
    instruments,
    invoker: measured,
    async startServer() {
      if (config.http.port === 0) return;
      server = await startHealthServer({
        host: config.http.host,
        port: config.http.port,
        metrics: metrics.scrape,
        readiness: () => (readiness === undefined ? Promise.resolve(startingReport()) : checkReadiness(readiness)),
        logger,
      });
    },
    connected(nc, jsm) {
      const consumer = new CachedProbe(() => jsm.consumers.info(nats.ingest.name, nats.consumer), PROBE_TTL_MS);
      consumerProbe = consumer;
      const deadLetterSubjects = new CachedProbe(
        async () => (await jsm.streams.info(nats.deadLetter.name, { subjects_filter: '>' })).state.subjects ?? {},
        PROBE_TTL_MS,
      );
      observeServerGauges({ meter: metrics.meter, stream: nats.ingest.name, consumerName: nats.consumer, consumer, deadLetterSubjects, logger });
      // Probes go to the functions directly: an empty call is not an invoke worth a metric.
      const probes = Object.fromEntries(INVOKED_STAGES.map((stage) => [stage, new CachedProbe(emptyInvoke(invoker, stage), PROBE_TTL_MS)]));
      readiness = {
        connected: watchConnection(nc),
        consumer,
        answers: measured,
        probes: probes as Record<InvokedStage, CachedProbe<unknown>>,
        freshMs: FRESH_ANSWER_MS,
      };
    },
    consumerInfo() {
      return consumerProbe?.get() ?? Promise.reject(new Error('the bridge is not connected to NATS yet'));
    },
    async close() {
      await server?.close();
      await metrics.shutdown();
    },
  };
}

export { createBridgeObservability };
export type { BridgeObservability };
