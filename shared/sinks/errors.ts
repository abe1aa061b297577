import { FailureReason, IngestError, Stage } from '../failures/index.ts';

/** The sink could not be reached or is overloaded; the same write may succeed later. */
class SinkUnavailableError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.sinkWrite, FailureReason.sinkUnavailable, message, { ...options, retryable: true });
    this.name = 'SinkUnavailableError';
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

export { SinkUnavailableError, SinkTargetMissingError, SinkRejectedError };
