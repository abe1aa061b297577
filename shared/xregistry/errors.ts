/**
 * Where a problem type is defined: the core specification, its HTTP binding, or nowhere beyond
 * the HTTP status itself (RFC 9457 `about:blank`, whose title is the status phrase).
 */
type Source = 'spec' | 'http' | 'status';

/** The error types this registry returns, with their HTTP status and title. */
const XRegistryErrorType = {
  apiNotFound: ['api_not_found', 404, 'The specified API is not supported', 'http'],
  notFound: ['not_found', 404, 'The targeted entity cannot be found', 'spec'],
  badRequest: ['bad_request', 400, 'The request cannot be processed as provided', 'spec'],
  badDetails: ['bad_details', 400, 'Use of "$details" in this context is not allowed', 'spec'],
  missingBody: ['missing_body', 400, 'The request is missing an HTTP body', 'http'],
  parsingData: ['parsing_data', 400, 'There was an error parsing the data', 'spec'],
  invalidData: ['invalid_data', 400, 'Invalid data was specified', 'spec'],
  unknownAttribute: ['unknown_attribute', 400, 'An unknown attribute was specified', 'spec'],
  mismatchedId: ['mismatched_id', 400, 'The specified ID does not match the URL', 'spec'],
  mismatchedEpoch: ['mismatched_epoch', 400, 'The specified epoch value does not match its current value', 'spec'],
  unsupportedSpecversion: ['unsupported_specversion', 400, 'The specified "specversion" value is not supported', 'spec'],
  compatibilityViolation: [
    'compatibility_violation',
    400,
    "The request would cause one or more Versions of this Resource to violate the Resource's compatibility rules",
    'spec',
  ],
  formatViolation: ['format_violation', 400, 'The document does not conform to its format', 'spec'],
  detailsRequired: ['details_required', 405, '$details suffix is needed when using PATCH for this Resource', 'http'],
  methodNotAllowed: ['method_not_allowed', 405, 'The specified HTTP method is not supported', 'spec'],
  unauthorized: ['unauthorized', 401, 'Authentication is required to write to this registry', 'spec'],
  forbidden: ['forbidden', 403, 'The credentials do not allow this operation', 'spec'],
  // Plain HTTP conditions xRegistry defines no error for.
  conflict: ['conflict', 409, 'Conflict', 'status'],
  contentTooLarge: ['content_too_large', 413, 'Content Too Large', 'status'],
  unsupportedMediaType: ['unsupported_media_type', 415, 'Unsupported Media Type', 'status'],
  internal: ['server_error', 500, 'An unexpected error occurred, please try again later', 'spec'],
  serviceUnavailable: ['service_unavailable', 503, 'The registry cannot be reached right now', 'spec'],
} as const satisfies Record<string, readonly [string, number, string, Source]>;
type XRegistryErrorType = (typeof XRegistryErrorType)[keyof typeof XRegistryErrorType];

const DOCUMENTS: Readonly<Record<Exclude<Source, 'status'>, string>> = {
  spec: 'https://github.com/xregistry/spec/blob/main/core/spec.md',
  http: 'https://github.com/xregistry/spec/blob/main/core/http.md',
};

type XRegistryErrorOptions = ErrorOptions & {
  readonly subject?: string;
  /** RFC 9457 extension members, e.g. the routes that keep an entity from being deleted. */
  readonly extensions?: Readonly<Record<string, unknown>>;
};

/** A registry error, rendered as an RFC 9457 problem document with the spec's error type. */
class XRegistryError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly subject: string | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(kind: XRegistryErrorType, detail: string, options?: XRegistryErrorOptions) {
    super(detail, options);
    this.name = 'XRegistryError';
    const [code, status, title, source] = kind;
    this.code = code;
    this.type = source === 'status' ? 'about:blank' : `${DOCUMENTS[source]}#${code}`;
    this.status = status;
    this.title = title;
    this.subject = options?.subject;
    this.extensions = options?.extensions ?? {};
    this.retryable = status === 503;
  }

  toProblem(instance?: string): Record<string, unknown> {
    const standard: Record<string, unknown> = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.subject === undefined ? {} : { subject: this.subject }),
      ...(instance === undefined ? {} : { instance }),
    };
    // Extension members follow the standard ones and never replace them.
    return { ...standard, ...Object.fromEntries(Object.entries(this.extensions).filter(([key]) => !(key in standard))) };
  }
}

export { XRegistryError, XRegistryErrorType };
export type { XRegistryErrorOptions };
