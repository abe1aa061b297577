import { FailureReason, IngestError, type Stage } from '../failures/index.ts';

/** The registry database could not be read; the event itself may be fine, so retry. */
class RegistryUnavailableError extends IngestError {
  constructor(stage: Stage, options?: ErrorOptions) {
    super(stage, FailureReason.registryUnavailable, 'registry is unavailable', { ...options, retryable: true });
    this.name = 'RegistryUnavailableError';
  }
}

/** A registry document (or stored entry) that breaks the rules; lists every problem found. */
class RegistryDocumentError extends Error {
  readonly retryable = false;
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid registry document:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'RegistryDocumentError';
    this.problems = problems;
  }
}

export { RegistryUnavailableError, RegistryDocumentError };
