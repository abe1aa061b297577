// A bridge that runs validate, route and sink-write in its own process (bench/inProcessInvoker.ts)
// instead of invoking them through Lambda. Bench-only: it is the same process as bridge/main.ts
// (bridge/process.ts: config, topology, consumer, advisories, SIGTERM drain) with another
// invoker, and runs as a child process with the same environment as the real bridge.
import { createInProcessInvoker } from './inProcessInvoker.ts';
import { exitOnStartFailure, runBridgeProcess } from '../bridge/process.ts';
import { loadBridgeConfig, loadFunctionConfig, loadSinkConfig } from '../shared/config/index.ts';

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const invoker = createInProcessInvoker({ ...loadFunctionConfig(), sinkConfig: loadSinkConfig() });
  await runBridgeProcess({ config, invoker, connectionName: 'ingest-bridge-in-process', logFields: { component: 'bridge', invoker: 'in-process' } });
}

main().catch(exitOnStartFailure('in-process bridge'));
