// A bridge that runs validate, route and sink-write in its own process (bridge/inProcessInvoker.ts)
// instead of invoking them through Lambda. Bench-only: it is wired exactly like bridge/main.ts
// (same config, topology, consumer, start and SIGTERM drain) so the two differ only in the invoker,
// and it runs as a child process with the same environment as the real bridge.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createBridge } from '../bridge/bridge.ts';
import { createInProcessInvoker } from '../bridge/inProcessInvoker.ts';
import { ConfigError, loadBridgeConfig, loadFunctionConfig, loadSinkConfig } from '../shared/config/index.ts';
import { createLogger } from '../shared/logging/index.ts';
import { connectNats, consumerSettingsFor, ensureTopology } from '../shared/nats/index.ts';

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const invoker = createInProcessInvoker({ ...loadFunctionConfig(), sinkConfig: loadSinkConfig() });
  const logger = createLogger(config.logLevel, { component: 'bridge', invoker: 'in-process' });
  const nc = await connectNats(config.nats.url, 'ingest-bridge-in-process', config.nats.security);
  const jsm = await jetstreamManager(nc);
  if (config.provision) {
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
  }
  const js = jetstream(nc);
  const consumer = await js.consumers.get(config.nats.ingest.name, config.nats.consumer);
  const bridge = createBridge({ config, js, consumer, invoker, logger });
  await bridge.start();

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    bridge
      .stop()
      .then(() => invoker.close())
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
  const message = error instanceof ConfigError ? error.message : `in-process bridge failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
