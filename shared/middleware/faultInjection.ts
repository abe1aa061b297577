import type { MiddlewareObj } from '@middy/core';

/** The error an injected fault throws, so logs and tests can tell it from a real one. */
class InjectedFaultError extends Error {
  readonly retryable = true;

  constructor(functionName: string, which = 'FAULT_INJECTION_PERCENT') {
    super(`${functionName}: injected fault (${which})`);
    this.name = 'InjectedFaultError';
  }
}

/**
 * Fails a share of invocations before the handler runs, as a crashed function would. Only the
 * fault tests turn it on (handlers add it only for a rate above 0).
 */
function faultInjection<TEvent, TResult>(functionName: string, rate: number, random: () => number = Math.random): MiddlewareObj<TEvent, TResult> {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`faultInjection: rate must be within [0, 1], got ${rate}`);
  const faultInjectionBefore = (): void => {
    if (random() < rate) throw new InjectedFaultError(functionName);
  };
  return { before: faultInjectionBefore };
}

export { faultInjection, InjectedFaultError };
