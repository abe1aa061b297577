import middy from '@middy/core';
import { loadSinkConfig } from '../../shared/config/index.ts';
import { SINK_RECORD, type SinkWriteRequest, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import { faultInjection, requestShape } from '../../shared/middleware/index.ts';
import { connectNats } from '../../shared/nats/index.ts';
import { createFunctionRuntime } from '../../shared/runtime/functionRuntime.ts';
import { createHttpSink, createNatsSubjectSink, createPostgresTableSink, type Sink } from '../../shared/sinks/index.ts';
import { runSinkWrite } from './sinkWrite.ts';
import { TargetGuard } from './targetGuard.ts';

const runtime = createFunctionRuntime('sink-write');
const sinkConfig = loadSinkConfig();

// One sink per kind, built once per container. NATS connects on the first event for a NATS
// route, so a deployment without such routes never opens a connection.
const sinks = new Map<string, Sink>([
  ['postgres', createPostgresTableSink(runtime.sql)],
  ['http', createHttpSink(sinkConfig.http)],
  [
    'nats',
    createNatsSubjectSink({
      connect: () => connectNats(sinkConfig.nats.url, 'ingest-sink-write', sinkConfig.nats.security),
      ingestSubjects: sinkConfig.nats.ingestSubjects,
      deadLetterSubjects: sinkConfig.nats.deadLetterSubjects,
      publishTimeoutMs: sinkConfig.nats.publishTimeoutMs,
    }),
  ],
]);

const guard = new TargetGuard(sinkConfig.isolation);

const base = middy<SinkWriteRequest, SinkWriteResponse>();
// Middy refuses an empty middleware, and production never injects faults: add it only when asked.
const withFaults = runtime.config.faultInjectionRate > 0 ? base.use(faultInjection<SinkWriteRequest, SinkWriteResponse>('sink-write', runtime.config.faultInjectionRate)) : base;
const handler = withFaults
  .use(requestShape<SinkWriteRequest, SinkWriteResponse>('sink-write', SINK_RECORD))
  .handler((request) => runSinkWrite(request, { sinks, guard }));

export { handler };
