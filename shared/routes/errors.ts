import { FailureReason, IngestError, type Stage } from '../failures/index.ts';

/** The registry database could not be read; the event itself may be fine, so retry. */
class RegistryUnavailableError extends IngestError {
  constructor(stage: Stage, options?: ErrorOptions) {
    super(stage, FailureReason.registryUnavailable, 'registry is unavailable', { ...options, retryable: true });
    this.name = 'RegistryUnavailableError';
  }
}

export { RegistryUnavailableError };
