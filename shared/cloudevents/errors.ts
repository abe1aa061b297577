import { FailureReason, IngestError, Stage } from '../failures/index.ts';

// Both failures are validate's and never retryable: the same message reads the same way on every
// delivery, so only a producer or registry fix (and a replay) can change the outcome.

/** A CloudEvents message the binding cannot read (`cloudevents_invalid`). */
function invalidCloudEvent(message: string): IngestError {
  return new IngestError(Stage.validate, FailureReason.cloudEventsInvalid, message, { retryable: false });
}

/** A CloudEvents attribute that disagrees with the Avro body (`cloudevents_mismatch`). */
function cloudEventMismatch(message: string): IngestError {
  return new IngestError(Stage.validate, FailureReason.cloudEventsMismatch, message, { retryable: false });
}

export { cloudEventMismatch, invalidCloudEvent };
