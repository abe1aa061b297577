import { FailureReason, IngestError, Stage } from '../failures/index.ts';

/** The delivery state could not be read or written; the records are retried (sinks stay idempotent). */
class DeliveryStateUnavailableError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.sinkWrite, FailureReason.deliveryStateUnavailable, message, { ...options, retryable: true });
    this.name = 'DeliveryStateUnavailableError';
  }
}

export { DeliveryStateUnavailableError };
