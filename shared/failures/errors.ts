import type { FailureReason, RecordFailure, Stage } from './types.ts';

type IngestErrorOptions = ErrorOptions & { readonly retryable: boolean; readonly retryAfterMs?: number };

/**
 * Base of every failure the plane reports about an event. It carries the stage, a stable
 * reason code and whether a retry can help; the bridge decides ack, delay or dead-letter
 * from `retryable` alone.
 */
class IngestError extends Error {
  readonly stage: Stage;
  readonly reason: FailureReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(stage: Stage, reason: FailureReason, message: string, options: IngestErrorOptions) {
    super(message, options);
    this.name = 'IngestError';
    this.stage = stage;
    this.reason = reason;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }

  toFailure(): RecordFailure {
    return {
      stage: this.stage,
      reason: this.reason,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

export { IngestError };
export type { IngestErrorOptions };
