import type { MiddlewareObj } from '@middy/core';
import { InjectedFaultError } from './faultInjection.ts';

/**
 * Lets the handler finish (the sink has committed) and then fails the invocation, for a share of
 * the requests `applies` picks: the bridge sees what it sees when a function times out or its
 * answer is lost after the commit. Only the fault tests turn it on (FAULT_LOSE_ANSWER_PERCENT).
 */
function answerLoss<TEvent, TResult>(
  functionName: string,
  rate: number,
  applies: (event: TEvent) => boolean,
  random: () => number = Math.random,
): MiddlewareObj<TEvent, TResult> {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`answerLoss: rate must be within [0, 1], got ${rate}`);
  const answerLossAfter = (request: { event: TEvent }): void => {
    if (applies(request.event) && random() < rate) throw new InjectedFaultError(functionName, 'FAULT_LOSE_ANSWER_PERCENT, after the handler ran');
  };
  return { after: answerLossAfter };
}

export { answerLoss };
