import { XRegistryError } from './errors.ts';

/**
 * Confluent Schema Registry's error codes (`error_code` in its error bodies): the HTTP status,
 * or the status followed by two digits that say which condition it is. Clients branch on these
 * (e.g. 40401 means "register the subject first"), so they are kept exactly.
 */
const CcompatCode = {
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  subjectNotFound: 40401,
  versionNotFound: 40402,
  schemaNotFound: 40403,
  subjectSoftDeleted: 40404,
  subjectNotSoftDeleted: 40405,
  versionSoftDeleted: 40406,
  versionNotSoftDeleted: 40407,
  subjectCompatibilityNotConfigured: 40408,
  incompatibleSchema: 409,
  contentTooLarge: 413,
  unsupportedMediaType: 415,
  badRequest: 400,
  invalidSchema: 42201,
  invalidVersion: 42202,
  invalidCompatibilityLevel: 42203,
  referenceExists: 42206,
  invalidSubject: 42208,
  storeError: 50001,
} as const;
type CcompatCode = (typeof CcompatCode)[keyof typeof CcompatCode];

/** The HTTP status of a code: its first three digits. */
function statusOf(code: CcompatCode): number {
  return code >= 1000 ? Math.floor(code / 100) : code;
}

/** An error of the ccompat API, answered as `{error_code, message}` with the code's HTTP status. */
class CcompatError extends Error {
  readonly code: CcompatCode;
  readonly status: number;
  /** Only a failing database is worth a retry; every other refusal stays one. */
  readonly retryable: boolean;

  constructor(code: CcompatCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CcompatError';
    this.code = code;
    this.status = statusOf(code);
    this.retryable = code === CcompatCode.storeError;
  }

  toBody(): { error_code: number; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

/** What the ccompat operation was doing when the registry refused it; decides the code. */
type CcompatOperation = 'register' | 'config' | 'delete' | 'read';

/**
 * The Confluent error for an xRegistry refusal inside a ccompat operation, the registry's reason
 * kept as the message: a body that is not JSON is 400; a rule violation is 409 when registering (Confluent's "incompatible") and
 * 42203 when changing the level; a document the registry cannot store is 42201; a delete that
 * routes still read is 42206 ("references exist": here the references are routes); an outage is
 * 50001. Undefined for anything that is not an XRegistryError (the caller's unexpected error).
 */
function ccompatErrorOf(error: unknown, operation: CcompatOperation): CcompatError | undefined {
  if (error instanceof CcompatError) return error;
  if (!(error instanceof XRegistryError)) return undefined;
  const options = { cause: error };
  switch (error.code) {
    case 'compatibility_violation':
      return operation === 'config'
        ? new CcompatError(CcompatCode.invalidCompatibilityLevel, error.message, options)
        : new CcompatError(CcompatCode.incompatibleSchema, error.message, options);
    case 'missing_body':
    case 'parsing_data':
      // The body itself, before any schema in it was read.
      return new CcompatError(CcompatCode.badRequest, error.message, options);
    case 'format_violation':
    case 'invalid_data':
    case 'unknown_attribute':
      return new CcompatError(operation === 'config' ? CcompatCode.invalidCompatibilityLevel : CcompatCode.invalidSchema, error.message, options);
    case 'conflict':
      return error.extensions.routes !== undefined
        ? new CcompatError(CcompatCode.referenceExists, error.message, options)
        : new CcompatError(CcompatCode.storeError, error.message, options);
    case 'unauthorized':
      return new CcompatError(CcompatCode.unauthorized, error.message, options);
    case 'forbidden':
      return new CcompatError(CcompatCode.forbidden, error.message, options);
    case 'content_too_large':
      return new CcompatError(CcompatCode.contentTooLarge, error.message, options);
    case 'unsupported_media_type':
      return new CcompatError(CcompatCode.unsupportedMediaType, error.message, options);
    case 'method_not_allowed':
      return new CcompatError(CcompatCode.methodNotAllowed, error.message, options);
    case 'api_not_found':
      return new CcompatError(CcompatCode.notFound, error.message, options);
    case 'not_found':
      return new CcompatError(CcompatCode.subjectNotFound, error.message, options);
    case 'service_unavailable':
    case 'server_error':
      return new CcompatError(CcompatCode.storeError, error.message, options);
    default:
      return new CcompatError(error.status >= 500 ? CcompatCode.storeError : CcompatCode.badRequest, error.message, options);
  }
}

export { CcompatCode, CcompatError, ccompatErrorOf };
export type { CcompatOperation };
