import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ConfigError, loadBridgeConfig } from '../shared/config/index.ts';
import { createLogger } from '../shared/logging/index.ts';
import { connectNats, consumerSettingsFor, ensureTopology } from '../shared/nats/index.ts';
import { createBridge } from './bridge.ts';
import { createLambdaInvoker } from './invoker.ts';
import { createMaxDeliveriesWatcher } from './maxDeliveries.ts';

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const logger = createLogger(config.logLevel, { component: 'bridge' });
  const nc = await connectNats(config.nats.url, 'ingest-bridge', config.nats.security);
  const jsm = await jetstreamManager(nc);
  if (config.provision) {
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  }
  const js = jetstream(nc);
  const consumer = await js.consumers.get(config.nats.ingest.name, config.nats.consumer);
  const bridge = createBridge({ config, js, consumer, invoker: createLambdaInvoker(config.lambda), logger });
  await bridge.start();
  const watcher = createMaxDeliveriesWatcher({ nats: config.nats, js, jsm, logger });
  await watcher.start();

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    bridge
      .stop()
      .then(() => watcher.stop())
      .then(() => nc.drain())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  void nc.closed().then((error) => {
    if (!stopping) {
      logger.error('NATS connection closed', { error });
      process.exit(1);
    }
  });
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `bridge failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
