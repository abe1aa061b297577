/**
 * A console capability that cannot answer now (a store not wired, NATS unreachable): answered as
 * a 503 problem saying so, and worth retrying.
 */
class ConsoleUnavailableError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleUnavailableError';
  }
}

/**
 * What the operator confirmed no longer holds (a purge whose count changed since it was shown):
 * answered as a 409 problem, so the page shows the new state before anything changes.
 */
class ConsoleConflictError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleConflictError';
  }
}

/** A request the console refuses as sent: its status, the RFC 9457 title and a detail that says what to change. */
class ConsoleRequestError extends Error {
  readonly retryable = false;
  readonly status: number;
  readonly title: string;
  /** Headers the refusal needs (`Allow`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, title: string, detail: string, headers: Readonly<Record<string, string>> = {}) {
    super(detail);
    this.name = 'ConsoleRequestError';
    this.status = status;
    this.title = title;
    this.headers = headers;
  }
}

function badRequest(detail: string): ConsoleRequestError {
  return new ConsoleRequestError(400, 'Bad Request', detail);
}

export { badRequest, ConsoleConflictError, ConsoleRequestError, ConsoleUnavailableError };
