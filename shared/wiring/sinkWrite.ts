import { loadFunctionConfig, loadSinkConfig } from '../config/index.ts';
import type { SinkCheckRequest, SinkCheckResponse, SinkWriteRequest, SinkWriteResponse } from '../contracts/index.ts';
import { createPostgresLedger } from '../deliveries/index.ts';
import { functionTelemetry, stageView } from '../middleware/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { createSinkSet } from '../sinks/index.ts';
import { DecoderCache, type SinkCheckDeps, type SinkWriteDeps, TargetGuard } from '../stages/index.ts';
import { createFunctionBase, type WithTracing } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

/** Shares of requests that fail on purpose; both 0 outside fault tests. */
type FaultRates = {
  readonly injection: number;
  readonly loseAnswer: number;
};

/**
 * What sink-write decodes (the registry through its caches, compiled decoders, as validate has),
 * writes and checks with, and the faults its handler is asked to inject.
 */
type SinkWriteFunctionDeps = WithTracing<
  SinkWriteDeps & SinkCheckDeps & WithPowertools<SinkWriteRequest | SinkCheckRequest, SinkWriteResponse | SinkCheckResponse> & { readonly faults: FaultRates }
>;

function buildSinkWriteDeps(): SinkWriteFunctionDeps {
  const config = loadFunctionConfig();
  const sinkConfig = loadSinkConfig();
  const { logger, sql, powertools, tracing } = createFunctionBase('sink-write', config);
  return {
    routes: createRouteLookup(sql, config.registryCache),
    decoders: new DecoderCache(),
    sinks: createSinkSet(sql, sinkConfig, 'ingest-sink-write'),
    ledger: createPostgresLedger(sql),
    guard: new TargetGuard(sinkConfig.isolation),
    logger,
    tracing,
    ...(tracing.enabled ? { tracer: tracing.tracer } : {}),
    faults: { injection: config.faultInjectionRate, loseAnswer: config.faultLoseAnswerRate },
    powertools: functionTelemetry(powertools, stageView),
  };
}

export { buildSinkWriteDeps };
export type { FaultRates, SinkWriteFunctionDeps };
