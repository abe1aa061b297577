/**
 * A local service is missing, misconfigured or would not start. Retrying the same command cannot help:
 * the message says what a person has to do (install a package, enable JetStream, free a port).
 */
class ServiceUnavailableError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** The error for a binary that no search location holds, naming the Debian package that provides it. */
function missingBinaryError(binary: string, aptPackage: string, searched: readonly string[]): ServiceUnavailableError {
  return new ServiceUnavailableError(
    `${binary} not found (looked in ${searched.length > 0 ? searched.join(', ') : 'nowhere'}): ` + `install it with \`apt-get install ${aptPackage}\``,
  );
}

export { ServiceUnavailableError, missingBinaryError };
