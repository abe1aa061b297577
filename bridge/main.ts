import { loadBridgeConfig } from '../shared/config/index.ts';
import { createLambdaInvoker } from './invoker.ts';
import { exitOnStartFailure, lambdaTargetFields, runBridgeProcess } from './process.ts';

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  await runBridgeProcess({
    config,
    invoker: createLambdaInvoker(config.lambda),
    invokeTarget: lambdaTargetFields(config.lambda),
    connectionName: 'ingest-bridge',
    logFields: { component: 'bridge' },
  });
}

main().catch(exitOnStartFailure('bridge'));
