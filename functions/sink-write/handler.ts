import middy from '@middy/core';
import { sinkWriteFields, type SinkCheckRequest, type SinkCheckResponse, type SinkWriteRequest, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import { answerLoss, faultInjection, invocationTrace, requestShape, tracedHandler } from '../../shared/middleware/index.ts';
import { runSinkCheck, runSinkWrite } from '../../shared/stages/index.ts';
import { buildSinkWriteDeps } from '../../shared/wiring/index.ts';

type Request = SinkWriteRequest | SinkCheckRequest;
type Response = SinkWriteResponse | SinkCheckResponse;

const deps = buildSinkWriteDeps();

const isCheck = (request: Request): request is SinkCheckRequest => 'checkDeliveryOnly' in request && request.checkDeliveryOnly === true;
// Only a write commits anything, so only a write's answer can be lost after a commit.
const isWrite = (request: Request): boolean => !isCheck(request) && request.recordDeliveryOnly !== true;

// Middy refuses an empty middleware, and production never injects faults: add them only when asked.
let base = middy<Request, Response>().use(deps.powertools);
if (deps.faults.injection > 0) base = base.use(faultInjection<Request, Response>('sink-write', deps.faults.injection));
if (deps.faults.loseAnswer > 0) base = base.use(answerLoss<Request, Response>('sink-write', deps.faults.loseAnswer, isWrite));
const handler = base
  .use(requestShape<Request, Response>('sink-write', sinkWriteFields))
  .handler((request, lambdaContext) => (isCheck(request) ? runSinkCheck(request, deps) : runSinkWrite(request, deps, invocationTrace(lambdaContext))));

// Outermost, so the span covers every middleware too, and the flush comes after all of them.
const traced = tracedHandler('sink-write', deps.tracing, handler);

export { traced as handler };
