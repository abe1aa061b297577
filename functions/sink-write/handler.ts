import middy from '@middy/core';
import { loadSinkConfig } from '../../shared/config/index.ts';
import { SINK_RECORD, type SinkWriteRequest, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import { faultInjection, requestShape } from '../../shared/middleware/index.ts';
import { createFunctionRuntime } from '../../shared/runtime/functionRuntime.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSinkSet } from '../../shared/sinks/index.ts';
import { runSinkWrite } from './sinkWrite.ts';
import { TargetGuard } from './targetGuard.ts';

const runtime = createFunctionRuntime('sink-write');
const sinkConfig = loadSinkConfig();

const sinks = createSinkSet(runtime.sql, sinkConfig, 'ingest-sink-write');

const guard = new TargetGuard(sinkConfig.isolation);
const ledger = createPostgresLedger(runtime.sql);

const base = middy<SinkWriteRequest, SinkWriteResponse>();
// Middy refuses an empty middleware, and production never injects faults: add it only when asked.
const withFaults = runtime.config.faultInjectionRate > 0 ? base.use(faultInjection<SinkWriteRequest, SinkWriteResponse>('sink-write', runtime.config.faultInjectionRate)) : base;
const handler = withFaults
  .use(requestShape<SinkWriteRequest, SinkWriteResponse>('sink-write', SINK_RECORD))
  .handler((request) => runSinkWrite(request, { sinks, ledger, guard, logger: runtime.logger }));

export { handler };
