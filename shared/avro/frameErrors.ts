import { FailureReason, IngestError, Stage } from '../failures/index.ts';

/** A payload whose wire-format envelope is broken (too short, wrong magic, no body). The bytes never change, so no retry. */
class FrameError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.validate, FailureReason.invalidFrame, message, { ...options, retryable: false });
    this.name = 'FrameError';
  }
}

/**
 * The writer schema a payload names cannot be read with the reader schema (Avro schema
 * resolution fails). Only a registry change can fix it, so retrying the event cannot help.
 */
class SchemaMismatchError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.validate, FailureReason.schemaMismatch, message, { ...options, retryable: false });
    this.name = 'SchemaMismatchError';
  }
}

export { FrameError, SchemaMismatchError };
