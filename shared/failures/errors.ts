import type { FailureReason, RecordFailure, Stage } from './types.ts';

type IngestErrorOptions = ErrorOptions & { readonly retryable: boolean };

/**
 * Base of every failure the plane reports about an event. It carries the stage, a stable
 * reason code and whether a retry can help; the bridge decides ack, delay or dead-letter
 * from `retryable` alone.
 */
class IngestError extends Error {
  readonly stage: Stage;
  readonly reason: FailureReason;
  readonly retryable: boolean;

  constructor(stage: Stage, reason: FailureReason, message: string, options: IngestErrorOptions) {
    super(message, options);
    this.name = 'IngestError';
    this.stage = stage;
    this.reason = reason;
    this.retryable = options.retryable;
  }

  toFailure(): RecordFailure {
    return { stage: this.stage, reason: this.reason, message: this.message, retryable: this.retryable };
  }
}

export { IngestError };
export type { IngestErrorOptions };
