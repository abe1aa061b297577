import { isRowDataError, isTransientPostgresError } from '../postgres/index.ts';
import { CcompatCode, CcompatError, ccompatErrorOf, type XRegistryError } from '../xregistry/index.ts';
import { authorizeWrite, isWriteMethod } from './auth.ts';
import { readCcompatBody } from './ccompatBodies.ts';
import { CCOMPAT_ROUTES, CCOMPAT_TYPE, isReadOnlyPost } from './ccompatRoutes.ts';
import type { RouteContext } from './context.ts';
import { checkOrigin, corsHeaders, preflight } from './cors.ts';
import { parsePath } from './paths.ts';
import type { ApiDeps, ApiObserver, ApiRequest, ApiResponse } from './request.ts';
import { createRouter } from './router.ts';

/**
 * Where the Confluent-compatible API is served, beside the xRegistry API on the same host. A
 * Confluent client takes a base URL, so `https://<registry>/ccompat/v7` is all it needs; `v7`
 * names the Confluent REST API generation the endpoints follow (Apicurio's ccompat uses the same).
 */
const CCOMPAT_PREFIX = '/ccompat/v7';

function isCcompatPath(path: string): boolean {
  return path === CCOMPAT_PREFIX || path.startsWith(`${CCOMPAT_PREFIX}/`);
}

/** Whether a request to the ccompat API changes nothing: GETs, and the POSTs that only read (lookup, compatibility test). */
function isCcompatRead(request: ApiRequest): boolean {
  if (!isCcompatPath(request.path) || !isWriteMethod(request.method)) return !isWriteMethod(request.method);
  const segments = request.path.split('/').slice(3);
  return request.method === 'POST' && isReadOnlyPost(segments);
}

function errorResponse(error: CcompatError): ApiResponse {
  return { status: error.status, headers: { 'content-type': CCOMPAT_TYPE }, body: JSON.stringify(error.toBody()) };
}

const ROUTER = createRouter(CCOMPAT_ROUTES, (error: XRegistryError) => errorResponse(ccompatErrorOf(error, 'read')!));

/**
 * What a failure means for a Confluent client: the API's own errors keep their code; PostgreSQL
 * refusing a value is a 400, a lost race or an unreachable database a 50001 (clients retry 5xx);
 * anything else a 50001 that says nothing about internals.
 */
function asCcompatError(error: unknown, observer: ApiObserver): CcompatError {
  const known = ccompatErrorOf(error, 'read');
  if (known !== undefined) return known;
  if (isTransientPostgresError(error)) return new CcompatError(CcompatCode.storeError, 'the registry database is unavailable; retry later', { cause: error });
  if (isRowDataError(error)) return new CcompatError(CcompatCode.badRequest, `the database refused a value: ${(error as Error).message}`, { cause: error });
  observer.unexpected?.(error);
  return new CcompatError(CcompatCode.storeError, 'the request failed on the server; it is logged', { cause: error });
}

/**
 * The Confluent Schema Registry API over the same registry (ccompat): Confluent's paths under
 * CCOMPAT_PREFIX, its `{error_code, message}` bodies. Reads are open as in the xRegistry API;
 * writes (registering, config changes, deletes) pass the same token check, while the POSTs that
 * only read (lookup, compatibility test) need none. Never throws.
 */
async function handleCcompatRequest(request: ApiRequest, deps: ApiDeps, observer: ApiObserver = {}): Promise<ApiResponse> {
  const origin = checkOrigin(request, deps.corsOrigins);
  const cors = corsHeaders(origin, deps.corsOrigins);
  try {
    const parsed = parsePath(request.path);
    if (request.method === 'OPTIONS') return preflight(request, origin, deps.corsOrigins);
    // The prefix's two segments off; what remains is Confluent's own path.
    const path = { segments: parsed.segments.slice(2), details: parsed.details };
    if (isWriteMethod(request.method) && !(request.method === 'POST' && isReadOnlyPost(path.segments))) authorizeWrite(request, deps, origin);
    const context: RouteContext = {
      request,
      deps,
      path,
      query: new URLSearchParams(request.query),
      body: () => readCcompatBody(request),
      location: () => ({}),
    };
    const response = await ROUTER(context);
    return { ...response, headers: { ...response.headers, ...cors } };
  } catch (error) {
    const response = errorResponse(asCcompatError(error, observer));
    return { ...response, headers: { ...response.headers, ...cors } };
  }
}

export { CCOMPAT_PREFIX, handleCcompatRequest, isCcompatPath, isCcompatRead };
