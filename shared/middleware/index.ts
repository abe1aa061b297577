export { BadRequestError } from './errors.ts';
export { requestShape } from './requestShape.ts';
export { faultInjection, InjectedFaultError } from './faultInjection.ts';
export { answerLoss } from './answerLoss.ts';
export { tracedHandler } from './tracing.ts';
