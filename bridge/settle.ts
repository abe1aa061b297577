import type { RetryConfig } from '../shared/config/index.ts';
import { FailureReason, type RecordFailure } from '../shared/failures/index.ts';
import { retryDelayMs } from './backoff.ts';
import type { Outcome } from './pipeline.ts';

/** What the bridge does with a message, decided from the outcome's `retryable` flag alone. */
type Settlement =
  | { readonly action: 'ack' }
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead-letter'; readonly failure: RecordFailure };

function settle(outcome: Outcome, deliveryCount: number, retry: RetryConfig, random?: () => number): Settlement {
  if (outcome.kind === 'committed') return { action: 'ack' };
  const { failure } = outcome;
  if (!failure.retryable) return { action: 'dead-letter', failure };
  // The server stops delivering at maxDeliver; the bridge must give up first to write the reason.
  const budget = Math.min(outcome.retryBudget ?? retry.maxAttempts, retry.maxDeliver - 1);
  if (deliveryCount < budget) {
    // A sink that said when to come back (Retry-After) gets at least that, within the cap.
    const asked = Math.min(failure.retryAfterMs ?? 0, retry.maxDelayMs);
    return { action: 'retry', delayMs: Math.max(retryDelayMs(deliveryCount, retry, random), asked) };
  }
  return {
    action: 'dead-letter',
    failure: {
      stage: failure.stage,
      reason: FailureReason.retriesExhausted,
      message: `gave up after ${deliveryCount} attempts; last failure ${failure.reason}: ${failure.message}`,
      retryable: false,
    },
  };
}

export { settle };
export type { Settlement };
