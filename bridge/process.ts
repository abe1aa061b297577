import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type BridgeConfig, ConfigError, type LambdaConfig } from '../shared/config/index.ts';
import { openDeadLetters } from '../shared/deadletters/index.ts';
import { createLogger, type LogFields, redactUrl } from '../shared/logging/index.ts';
import { connectNats, consumerSettingsFor, ensureTopology } from '../shared/nats/index.ts';
import { startTracing } from '../shared/telemetry/index.ts';
import { createBridge } from './bridge.ts';
import { failingFirstPublishes } from './faults.ts';
import { figuresPublisherFor } from './figuresPublisher.ts';
import { lambdaTransportFor, type StageInvoker } from './invoker.ts';
import { createMaxDeliveriesWatcher } from './maxDeliveries.ts';
import { createBridgeObservability } from './observability.ts';
import { createStatsReporter } from './statsReporter.ts';

type BridgeProcessOptions = {
  readonly config: BridgeConfig;
  /** How the stage functions are reached; `close` runs after the drain. */
  readonly invoker: StageInvoker & { close?(): Promise<void> };
  readonly connectionName: string;
  readonly logFields: LogFields;
  /**
   * What the invoker reaches, for the start-up line (lambdaTargetFields for the Lambda invoker);
   * an invoker that calls no function (the bench's in-process one) says so in logFields instead.
   */
  readonly invokeTarget?: LogFields;
};

/**
 * Where a Lambda invoker sends its invokes, as the start-up line shows it: with LAMBDA_ENDPOINT
 * unset the bridge calls AWS Lambda itself, and an operator must see which region and function
 * names (FUNCTION_PREFIX applied) before the first batch fails against the wrong ones.
 */
function lambdaTargetFields(lambda: LambdaConfig): LogFields {
  const names = lambda.functionNames;
  return {
    lambda: lambda.endpoint ?? `AWS Lambda in ${lambda.region}`,
    region: lambda.region,
    transport: lambdaTransportFor(lambda.endpoint) === 'local-http' ? 'unsigned HTTP (serverless-offline on loopback)' : 'AWS SDK',
    functions: [names.validate, names.route, names.sinkWrite],
  };
}

/**
 * The bridge as a process: connect, provision, consume, watch max-deliveries advisories, and on
 * SIGTERM/SIGINT drain in-flight batches before exiting. Exits 1 if NATS closes under it.
 */
async function runBridgeProcess(options: BridgeProcessOptions): Promise<void> {
  const { config } = options;
  const logger = createLogger(config.logLevel, options.logFields);
  const observability = createBridgeObservability(config, logger, options.invoker);
  const { instruments, invoker } = observability;
  // Before connecting, so a bridge stuck on NATS has already said what it is for.
  logger.info('bridge starting', {
    ...options.invokeTarget,
    nats: redactUrl(config.nats.url),
    stream: config.nats.ingest.name,
    consumer: config.nats.consumer,
  });
  await observability.startServer();
  const { faults } = config;
  if (faults.exitAt !== undefined || faults.deadLetterPublishFailures > 0) {
    logger.warn('test-only fault points are set: this bridge fails on purpose', {
      exitAt: faults.exitAt,
      deadLetterPublishFailures: faults.deadLetterPublishFailures,
    });
  }
  // Off (nothing registered) unless an OTLP traces endpoint is configured.
  const tracing = startTracing(config.telemetry);
  const nc = await connectNats(config.nats.url, options.connectionName, config.nats.security);
  const jsm = await jetstreamManager(nc);
  if (config.provision) await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  const js = jetstream(nc);
  const consumer = await js.consumers.get(config.nats.ingest.name, config.nats.consumer);
  observability.connected(nc, jsm);
  // The dead letter's size limit is the server's own (INFO max_payload), read at each write.
  const { writer: deadLetters } = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });
  const bridge = createBridge({
    config,
    consumer,
    deadLetters: faults.deadLetterPublishFailures > 0 ? failingFirstPublishes(deadLetters, faults.deadLetterPublishFailures, logger) : deadLetters,
    invoker,
    logger,
    tracing,
    instruments,
  });
  const watcher = createMaxDeliveriesWatcher({
    nats: config.nats,
    js,
    jsm,
    deadLetters,
    logger,
    deadLettered: instruments.deadLettered,
    ...(tracing.enabled ? { tracer: tracing.tracer } : {}),
  });
  const reporter = createStatsReporter({
    stats: bridge.stats,
    logger,
    intervalMs: config.statsIntervalMs,
    lag: async () => {
      const info = await observability.consumerInfo();
      return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    },
  });
  const figures = figuresPublisherFor(config, nc, observability, logger);

  let stopping = false;
  let started: Promise<void> = Promise.resolve();
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    reporter.stop();
    // A signal during start-up waits for it, so what the bridge already pulled is drained too.
    started
      .catch(() => {})
      .then(() => bridge.stop())
      .then(() => watcher.stop())
      // After the drain, so the last figures carry the final counts.
      .then(() => figures?.stop())
      .then(() => invoker.close())
      .then(() => nc.drain())
      .then(() => tracing.shutdown())
      .then(() => observability.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      });
  };
  // Before the first pull: a SIGTERM from then on drains instead of killing held messages.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  started = (async () => {
    await bridge.start();
    await watcher.start();
    if (!stopping) {
      reporter.start();
      figures?.start();
    }
  })();
  await started;
  void nc.closed().then((error) => {
    if (!stopping) {
      logger.error('NATS connection closed', { error });
      process.exit(1);
    }
  });
}

/** For entry points: a start-up failure prints one clear line and exits 1. */
function exitOnStartFailure(what: string): (error: unknown) => void {
  return (error) => {
    const message = error instanceof ConfigError ? error.message : `${what} failed to start: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  };
}

export { exitOnStartFailure, lambdaTargetFields, runBridgeProcess };
export type { BridgeProcessOptions };
