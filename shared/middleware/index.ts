export { BadRequestError } from './errors.ts';
export { requestShape } from './requestShape.ts';
export { faultInjection, InjectedFaultError } from './faultInjection.ts';
export { answerLoss } from './answerLoss.ts';
export { invocationTrace, tracedHandler } from './tracing.ts';
export { functionTelemetry } from './functionTelemetry.ts';
export type { FunctionPowertools } from './functionTelemetry.ts';
export { dlqReplayView, registryApiView, stageView } from './invocationViews.ts';
export type { Correlation, InvocationTally, InvocationView } from './invocationViews.ts';
