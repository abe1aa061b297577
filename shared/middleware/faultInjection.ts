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
 * fault tests turn it on (handlers add it only for a rate above 0). The failures are evenly
 * spaced, not drawn at random (at 0.2, invocations 5, 10, 15, ... fail), so a test that needs
 * "failed at least once" cannot be unlucky: a burst of a dozen invocations always meets a fault.
 */
function faultInjection<TEvent, TResult>(functionName: string, rate: number): MiddlewareObj<TEvent, TResult> {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`faultInjection: rate must be within [0, 1], got ${rate}`);
  let invocations = 0;
  const faultInjectionBefore = (): void => {
    invocations++;
    // The n-th invocation fails when it carries the running count of faults owed past a whole number.
    if (Math.floor(invocations * rate) > Math.floor((invocations - 1) * rate)) throw new InjectedFaultError(functionName);
  };
  return { before: faultInjectionBefore };
}

export { faultInjection, InjectedFaultError };
