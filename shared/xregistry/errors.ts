/** The error types of xRegistry v1.0-rc4 this registry returns, with their HTTP status. */
const XRegistryErrorType = {
  apiNotFound: ['api_not_found', 404, 'The specified API is not supported'],
  notFound: ['not_found', 404, 'The targeted entity cannot be found'],
  badRequest: ['bad_request', 400, 'The request cannot be processed as provided'],
  invalidData: ['invalid_data', 400, 'Invalid data was specified'],
  unknownAttribute: ['unknown_attribute', 400, 'An unknown attribute was specified'],
  mismatchedId: ['mismatched_id', 400, 'The specified ID does not match the URL'],
  mismatchedEpoch: ['mismatched_epoch', 400, 'The specified epoch value does not match its current value'],
  compatibilityViolation: ['compatibility_violation', 400, 'The request would cause one or more Versions of this Resource to violate the Resource\'s compatibility rules'],
  formatViolation: ['format_violation', 400, 'The document does not conform to its format'],
  detailsRequired: ['details_required', 400, '$details suffix is needed when using PATCH for this Resource'],
  methodNotAllowed: ['method_not_allowed', 405, 'The specified HTTP method is not supported'],
  unauthorized: ['unauthorized', 401, 'Authentication is required to write to this registry'],
  forbidden: ['forbidden', 403, 'The credentials do not allow this operation'],
  serviceUnavailable: ['service_unavailable', 503, 'The registry cannot be reached right now'],
} as const;
type XRegistryErrorType = (typeof XRegistryErrorType)[keyof typeof XRegistryErrorType];

const SPEC_ERRORS = 'https://github.com/xregistry/spec/blob/main/core/spec.md';

/** A registry error, rendered as an RFC 9457 problem document with the spec's error type. */
class XRegistryError extends Error {
  readonly retryable: boolean;
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly subject: string | undefined;

  constructor(kind: XRegistryErrorType, detail: string, options?: ErrorOptions & { subject?: string }) {
    super(detail, options);
    this.name = 'XRegistryError';
    this.type = `${SPEC_ERRORS}#${kind[0]}`;
    this.status = kind[1];
    this.title = kind[2];
    this.subject = options?.subject;
    this.retryable = kind[1] === 503;
  }

  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.subject === undefined ? {} : { subject: this.subject }),
      ...(instance === undefined ? {} : { instance }),
    };
  }
}

export { XRegistryError, XRegistryErrorType };
