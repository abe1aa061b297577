import { isRowDataError, isTransientPostgresError } from '../postgres/index.ts';
import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import { authorizeWrite, isWriteMethod } from './auth.ts';
import { readJsonBody } from './body.ts';
import { handleCcompatRequest, isCcompatPath } from './ccompatApi.ts';
import type { RouteContext } from './context.ts';
import { checkOrigin, corsHeaders, preflight } from './cors.ts';
import { parsePath } from './paths.ts';
import type { ApiDeps, ApiObserver, ApiRequest, ApiResponse } from './request.ts';
import { GROUP_ROUTES } from './groups.ts';
import { MESSAGE_ROUTES } from './messages.ts';
import { problem } from './responses.ts';
import { ROOT_ROUTES } from './root.ts';
import { createRouter } from './router.ts';
import { SCHEMA_ROUTES } from './schemas.ts';
import { VERSION_ROUTES } from './versions.ts';

const UNIQUE_VIOLATION = '23505';
/** The whole API, level by level: `[method, pattern, handler]` lines, the first match answering. */
const ROUTER = createRouter([...ROOT_ROUTES, ...GROUP_ROUTES, ...SCHEMA_ROUTES, ...VERSION_ROUTES, ...MESSAGE_ROUTES]);

/**
 * What a failure means for the client: its own errors keep their problem type; PostgreSQL
 * refusing a value it sent (class 22, e.g. a NUL character in a string) is a 400, a lost race for
 * a unique key a 409, an unreachable database a 503; anything else is a 500 that says nothing
 * about internals.
 */
function asXRegistryError(error: unknown, observer: ApiObserver): XRegistryError {
  if (error instanceof XRegistryError) return error;
  if (isTransientPostgresError(error)) {
    return new XRegistryError(XRegistryErrorType.serviceUnavailable, 'the registry database is unavailable; retry later', { cause: error });
  }
  if (isRowDataError(error)) {
    const conflict = (error as { code?: unknown }).code === UNIQUE_VIOLATION;
    return new XRegistryError(
      conflict ? XRegistryErrorType.conflict : XRegistryErrorType.invalidData,
      conflict ? 'another write changed the same entity at the same time; retry' : `the database refused a value: ${(error as Error).message}`,
      { cause: error },
    );
  }
  observer.unexpected?.(error);
  return new XRegistryError(XRegistryErrorType.internal, 'the request failed on the server; it is logged', { cause: error });
}

/**
 * The registry's HTTP API (xRegistry v1.0-rc4 subset). Never throws: every answer is a success or
 * an RFC 9457 problem document, with CORS headers only for configured origins.
 */
async function handleRegistryRequest(request: ApiRequest, deps: ApiDeps, observer: ApiObserver = {}): Promise<ApiResponse> {
  // The Confluent-compatible API under its prefix has its own error bodies and read/write split.
  if (isCcompatPath(request.path)) return handleCcompatRequest(request, deps, observer);
  const origin = checkOrigin(request, deps.corsOrigins);
  const cors = corsHeaders(origin, deps.corsOrigins);
  try {
    const path = parsePath(request.path);
    if (request.method === 'OPTIONS') return preflight(request, origin, deps.corsOrigins);
    if (isWriteMethod(request.method)) authorizeWrite(request, deps, origin);
    const context: RouteContext = {
      request,
      deps,
      path,
      query: new URLSearchParams(request.query),
      body: () => readJsonBody(request),
      location: (entity) => ({ location: `${deps.publicUrl}${entity}` }),
    };
    const response = await ROUTER(context);
    return { ...response, headers: { ...response.headers, ...cors } };
  } catch (error) {
    const response = problem(asXRegistryError(error, observer), request.path);
    return { ...response, headers: { ...response.headers, ...cors } };
  }
}

export { handleRegistryRequest };
export type { ApiDeps, ApiObserver, ApiRequest, ApiResponse };
