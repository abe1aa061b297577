import type { Logger } from '../logging/index.ts';
import { isTransientPostgresError } from '../postgres/index.ts';
import type { ApiRequest, ApiResponse } from '../registryApi/index.ts';
import { RegistryUnavailableError } from '../routes/index.ts';
import { XRegistryError } from '../xregistry/index.ts';
import { ConsoleConflictError, ConsoleRequestError, ConsoleUnavailableError } from './errors.ts';
import { API_HEADERS } from './headers.ts';
import { problem } from './responses.ts';

/**
 * What a failure means for the page, as an RFC 9457 problem: the console's refusals keep their
 * status; the registry's own refusals keep the registry's problem document (its type, title and
 * message, verbatim); what cannot answer now is a 503; anything else a 500 that says nothing of
 * internals and is logged.
 */
function problemFor(error: unknown, request: ApiRequest, logger: Logger): ApiResponse {
  const instance = request.path;
  if (error instanceof ConsoleRequestError) {
    return problem({ status: error.status, title: error.title, detail: error.message, instance, headers: error.headers });
  }
  if (error instanceof XRegistryError) {
    return { status: error.status, headers: { ...API_HEADERS, 'content-type': 'application/problem+json' }, body: JSON.stringify(error.toProblem(instance)) };
  }
  if (error instanceof ConsoleConflictError) return problem({ status: 409, title: 'Conflict', detail: error.message, instance });
  if (error instanceof ConsoleUnavailableError) return problem({ status: 503, title: 'Service Unavailable', detail: error.message, instance });
  if (error instanceof RegistryUnavailableError || isTransientPostgresError(error)) {
    return problem({ status: 503, title: 'Service Unavailable', detail: 'the registry database is unavailable; retry later', instance });
  }
  logger.error('console request failed', { method: request.method, path: request.path, error });
  return problem({ status: 500, title: 'Internal Server Error', detail: 'the request failed on the server; it is logged', instance });
}

export { problemFor };
