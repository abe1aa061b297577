import { FailureReason, IngestError, Stage } from '../failures/index.ts';

/** The sink could not be reached or is overloaded; the same write may succeed later. */
class SinkUnavailableError extends IngestError {
  /** `retryAfterMs`: how long the sink asked us to wait (HTTP Retry-After), when it said. */
  constructor(message: string, options?: ErrorOptions & { readonly retryAfterMs?: number }) {
    super(Stage.sinkWrite, FailureReason.sinkUnavailable, message, { ...options, retryable: true });
    this.name = 'SinkUnavailableError';
  }
}

/**
 * The sink refuses the target itself: a host not on the allow-list, an address in a private
 * network, a subject the ingest stream captures. Retrying cannot help; an operator fixes the
 * route or the configuration and replays the dead letters.
 */
class SinkTargetRefusedError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.sinkWrite, FailureReason.sinkRefused, message, { ...options, retryable: false });
    this.name = 'SinkTargetRefusedError';
  }
}

/** The sink's target (table, endpoint) does not exist. Fixable by an operator, then replayable. */
class SinkTargetMissingError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.sinkWrite, FailureReason.sinkTargetMissing, message, { ...options, retryable: false });
    this.name = 'SinkTargetMissingError';
  }
}

/** The sink refused this record's data (a constraint or a value it cannot store). */
class SinkRejectedError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.sinkWrite, FailureReason.sinkRejected, message, { ...options, retryable: false });
    this.name = 'SinkRejectedError';
  }
}

export { SinkUnavailableError, SinkTargetMissingError, SinkTargetRefusedError, SinkRejectedError };
