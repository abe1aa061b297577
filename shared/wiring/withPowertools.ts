import type { MiddlewareObj } from '@middy/core';

/**
 * A function's Powertools middleware (structured logs with the Lambda context and correlation ids,
 * EMF metrics flushed per invocation), ready for the handler's first `.use`.
 */
type WithPowertools<TEvent, TResult> = {
  readonly powertools: MiddlewareObj<TEvent, TResult>;
};

export type { WithPowertools };
