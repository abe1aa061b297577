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

/**
 * An invoke request above the Lambda request limit, refused before it is sent. The bridge splits
 * the request; a single record that is too large on its own fails for good with this reason.
 */
class RequestTooLargeError extends IngestError {
  readonly bytes: number;
  readonly limit: number;

  constructor(stage: Stage, functionName: string, bytes: number, limit: number) {
    super(stage, FailureReason.payloadTooLarge, `${functionName}: the request is ${bytes} bytes, above the limit of ${limit} (LAMBDA_MAX_REQUEST_BYTES)`, {
      retryable: false,
    });
    this.name = 'RequestTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The bridge's HTTP port (metrics and health) is taken: the process must not start without it. */
class HttpPortInUseError extends Error {
  constructor(host: string, port: number, options?: ErrorOptions) {
    super(
      `BRIDGE_HTTP_PORT ${port} on ${host} is already in use: stop what holds it, set BRIDGE_HTTP_PORT to a free port, or 0 to turn the server off`,
      options,
    );
    this.name = 'HttpPortInUseError';
  }
}

export { HttpPortInUseError, InvokeError, RequestTooLargeError };
