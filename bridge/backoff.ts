import type { RetryConfig } from '../shared/config/index.ts';

/**
 * Exponential backoff with jitter for the nth delivery (1-based). JetStream on 2.9 ignores the
 * consumer's backoff list for a plain nak, so the bridge computes the delay itself and sends it
 * with the nak. Jitter spreads a burst of failures so they do not all return at once.
 */
function retryDelayMs(attempt: number, retry: RetryConfig, random: () => number = Math.random): number {
  const exponential = retry.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const capped = Math.min(retry.maxDelayMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}

export { retryDelayMs };
