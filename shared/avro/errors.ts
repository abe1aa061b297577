import { FailureReason, IngestError, Stage } from '../failures/index.ts';

/** A payload that does not decode with its schema. Retrying the same bytes cannot help. */
class CodecError extends IngestError {
  constructor(message: string, options?: ErrorOptions) {
    super(Stage.validate, FailureReason.avroDecodeFailed, message, { ...options, retryable: false });
    this.name = 'CodecError';
  }
}

/** A schema document that avsc refuses to compile. */
class SchemaDefinitionError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchemaDefinitionError';
  }
}

export { CodecError, SchemaDefinitionError };
