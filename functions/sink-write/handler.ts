import middy from '@middy/core';
import { loadSinkConfig } from '../../shared/config/index.ts';
import { SINK_RECORD, type SinkCheckRequest, type SinkCheckResponse, type SinkWriteRequest, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { answerLoss, faultInjection, requestShape } from '../../shared/middleware/index.ts';
import { createFunctionRuntime } from '../../shared/wiring/index.ts';
import { createSinkSet } from '../../shared/sinks/index.ts';
import { runSinkCheck } from '../../shared/stages/index.ts';
import { runSinkWrite } from '../../shared/stages/index.ts';
import { TargetGuard } from '../../shared/stages/index.ts';

type Request = SinkWriteRequest | SinkCheckRequest;
type Response = SinkWriteResponse | SinkCheckResponse;

const runtime = createFunctionRuntime('sink-write');
const sinkConfig = loadSinkConfig();

const sinks = createSinkSet(runtime.sql, sinkConfig, 'ingest-sink-write');

const guard = new TargetGuard(sinkConfig.isolation);
const ledger = createPostgresLedger(runtime.sql);

const isCheck = (request: Request): request is SinkCheckRequest => 'checkDeliveryOnly' in request && request.checkDeliveryOnly === true;
// Only a write commits anything, so only a write's answer can be lost after a commit.
const isWrite = (request: Request): boolean => !isCheck(request) && request.recordDeliveryOnly !== true;

// Middy refuses an empty middleware, and production never injects faults: add them only when asked.
let base = middy<Request, Response>();
const { faultInjectionRate, faultLoseAnswerRate } = runtime.config;
if (faultInjectionRate > 0) base = base.use(faultInjection<Request, Response>('sink-write', faultInjectionRate));
if (faultLoseAnswerRate > 0) base = base.use(answerLoss<Request, Response>('sink-write', faultLoseAnswerRate, isWrite));
const handler = base
  .use(requestShape<Request, Response>('sink-write', SINK_RECORD))
  .handler((request) =>
    isCheck(request) ? runSinkCheck(request, { sinks, ledger }) : runSinkWrite(request, { sinks, ledger, guard, logger: runtime.logger }),
  );

export { handler };
