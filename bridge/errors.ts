import { FailureReason, IngestError, type Stage } from '../shared/failures/index.ts';

/** A function could not be invoked, crashed or timed out. Its whole batch is retried. */
class InvokeError extends IngestError {
  readonly functionName: string;

  constructor(stage: Stage, functionName: string, message: string, options?: ErrorOptions) {
    super(stage, FailureReason.invokeFailed, `${functionName}: ${message}`, { ...options, retryable: true });
    this.name = 'InvokeError';
    this.functionName = functionName;
  }
}

export { InvokeError };
